//! E-mail: the messages the platform sends (French text and HTML bodies) and the transports
//! that deliver them. Nothing here is called from a request: handlers queue messages in the
//! outbox table, and the worker hands them to a [`Mailer`].
//!
//! Error policy: [`MailError`] says whether a failure is worth retrying (`Transient`: the server
//! is down or said 4xx) or not (`Permanent`: a malformed address, a 5xx refusal); the worker
//! retries the first with a backoff and gives up on the second.

pub mod messages;

use chrono::{DateTime, Utc};
use domain::candidate::MailMessage;
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("envoi temporairement impossible : {0}")]
    Transient(String),
    #[error("envoi refusé : {0}")]
    Permanent(String),
    #[error("configuration de l’envoi d’e-mails invalide : {0}")]
    Config(String),
}

/// Where messages go.
#[derive(Clone)]
pub enum Transport {
    /// One `.eml` file per message in a folder: the default, so `cargo run` needs no server.
    File(PathBuf),
    /// An SMTP server (`smtp://host:port`, `smtps://…`, with credentials in the URL).
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// Kept in memory, for unit tests of code that sends.
    Memory(Arc<Mutex<Vec<MailMessage>>>),
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Transport::File(dir) => write!(f, "File({})", dir.display()),
            Transport::Smtp(_) => f.write_str("Smtp"),
            Transport::Memory(_) => f.write_str("Memory"),
        }
    }
}

/// Sends messages from the platform's address through one transport.
#[derive(Debug, Clone)]
pub struct Mailer {
    from: Mailbox,
    transport: Transport,
}

impl Mailer {
    /// `url` is `file` (messages under `mail_dir`), `memory`, or an `smtp://` / `smtps://` URL.
    pub fn from_config(url: &str, from: &str, mail_dir: PathBuf) -> Result<Self, MailError> {
        let from: Mailbox = from.parse().map_err(|e| MailError::Config(format!("expéditeur « {from} » : {e}")))?;
        let transport = match url {
            "file" | "" => Transport::File(mail_dir),
            "memory" => Transport::Memory(Arc::default()),
            smtp if smtp.starts_with("smtp://") || smtp.starts_with("smtps://") => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp)
                    .map_err(|e| MailError::Config(format!("{smtp} : {e}")))?
                    .build(),
            ),
            other => return Err(MailError::Config(format!("transport inconnu « {other} » (file, memory, smtp://…)"))),
        };
        Ok(Self { from, transport })
    }

    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    /// Builds the MIME message (text and HTML alternatives), dated `date` (when the message
    /// was written, by the application's clock: lettre would otherwise read the system time).
    pub fn build(&self, msg: &MailMessage, date: DateTime<Utc>) -> Result<Message, MailError> {
        let to: Mailbox =
            msg.to.parse().map_err(|e| MailError::Permanent(format!("destinataire « {} » : {e}", msg.to)))?;
        let mut builder =
            Message::builder().from(self.from.clone()).to(to).subject(msg.subject.clone()).date(date.into());
        if let Some(url) = &msg.unsubscribe {
            builder = builder.header(ListUnsubscribe(url.clone())).header(ListUnsubscribePost);
        }
        builder
            .multipart(MultiPart::alternative_plain_html(msg.text.clone(), msg.html.clone()))
            .map_err(|e| MailError::Permanent(e.to_string()))
    }

    pub async fn send(&self, msg: &MailMessage, date: DateTime<Utc>) -> Result<(), MailError> {
        match &self.transport {
            Transport::Memory(sent) => {
                self.build(msg, date)?;
                sent.lock().map_err(|_| MailError::Transient("verrou empoisonné".into()))?.push(msg.clone());
                Ok(())
            }
            Transport::File(dir) => {
                let email = self.build(msg, date)?;
                tokio::fs::create_dir_all(dir).await.map_err(|e| MailError::Transient(e.to_string()))?;
                AsyncFileTransport::<Tokio1Executor>::new(dir)
                    .send(email)
                    .await
                    .map(|_| ())
                    .map_err(|e| MailError::Transient(e.to_string()))
            }
            Transport::Smtp(smtp) => {
                let email = self.build(msg, date)?;
                smtp.send(email).await.map(|_| ()).map_err(|e| {
                    if e.is_permanent() {
                        MailError::Permanent(e.to_string())
                    } else {
                        MailError::Transient(e.to_string())
                    }
                })
            }
        }
    }
}

/// `List-Unsubscribe: <url>` (RFC 2369): the address that unsubscribes at once.
#[derive(Debug, Clone)]
struct ListUnsubscribe(String);

impl lettre::message::header::Header for ListUnsubscribe {
    fn name() -> lettre::message::header::HeaderName {
        lettre::message::header::HeaderName::new_from_ascii_str("List-Unsubscribe")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(s.trim().trim_start_matches('<').trim_end_matches('>').to_string()))
    }

    fn display(&self) -> lettre::message::header::HeaderValue {
        lettre::message::header::HeaderValue::new(Self::name(), format!("<{}>", self.0))
    }
}

/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058): a POST to that address is
/// enough, with no page to confirm.
#[derive(Debug, Clone)]
struct ListUnsubscribePost;

impl lettre::message::header::Header for ListUnsubscribePost {
    fn name() -> lettre::message::header::HeaderName {
        lettre::message::header::HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }

    fn display(&self) -> lettre::message::header::HeaderValue {
        lettre::message::header::HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".to_string())
    }
}

//! Markdown written by recruiters and text imported from the State's exports, rendered to HTML
//! and sanitised (ammonia) before it reaches a page: no script, no style, no event handler
//! can get through.

use pulldown_cmark::{Event, Options, Parser};

/// Renders Markdown (line breaks kept, as imported texts rely on them) to safe HTML.
pub fn to_html(text: &str) -> String {
    let parser = Parser::new_ext(text, Options::ENABLE_STRIKETHROUGH).map(|e| match e {
        Event::SoftBreak => Event::HardBreak,
        // Raw HTML in the source is shown as text, never interpreted.
        Event::Html(h) | Event::InlineHtml(h) => Event::Text(h),
        other => other,
    });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, parser);
    ammonia::Builder::default()
        .rm_tags(["img", "h1", "h2"])
        .link_rel(Some("noopener noreferrer"))
        .url_schemes(["https", "http", "mailto"].into_iter().collect())
        .clean(&html)
        .to_string()
}

/// Renders a long text whose sections are headings (a product's Contexte, Problème,
/// Solution…): its headings start at level 2, below the page's own title.
pub fn to_html_sections(text: &str) -> String {
    use pulldown_cmark::{HeadingLevel, Tag, TagEnd};
    let parser = Parser::new_ext(text, Options::ENABLE_STRIKETHROUGH).map(|e| match e {
        Event::SoftBreak => Event::HardBreak,
        Event::Html(h) | Event::InlineHtml(h) => Event::Text(h),
        Event::Start(Tag::Heading { level: HeadingLevel::H1, id, classes, attrs }) => {
            Event::Start(Tag::Heading { level: HeadingLevel::H2, id, classes, attrs })
        }
        Event::End(TagEnd::Heading(HeadingLevel::H1)) => Event::End(TagEnd::Heading(HeadingLevel::H2)),
        other => other,
    });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, parser);
    ammonia::Builder::default()
        .rm_tags(["img", "h1"])
        .link_rel(Some("noopener noreferrer"))
        .url_schemes(["https", "http", "mailto"].into_iter().collect())
        .clean(&html)
        .to_string()
}

/// Plain text for meta descriptions: Markdown marks removed, spaces collapsed, cut on a word.
pub fn to_plain(text: &str, max: usize) -> String {
    let cleaned: String = text.chars().filter(|c| !matches!(c, '*' | '#' | '_' | '`' | '>' | '<')).collect();
    let words: Vec<&str> = cleaned.split_whitespace().filter(|w| *w != "-").collect();
    let mut out = String::new();
    for w in words {
        if out.len() + w.len() + 1 > max {
            out.push('…');
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_is_rendered_and_sanitised() {
        assert_eq!(to_html("**Rust** et\nC++"), "<p><strong>Rust</strong> et<br>\nC++</p>\n");
        assert_eq!(to_html("Missions :\n- tests"), "<p>Missions :</p>\n<ul>\n<li>tests</li>\n</ul>\n");
        let evil = "<script>alert(1)</script><img src=x onerror=alert(1)>[lien](javascript:alert(1))";
        let html = to_html(evil);
        assert!(!html.contains("<script") && !html.contains("<img"), "{html}");
        assert!(html.starts_with("&lt;script&gt;"), "raw HTML is shown as text: {html}");
        let link = to_html("[lien](javascript:alert(1)) et [site](https://exemple.fr)");
        assert!(!link.contains("href=\"javascript") && link.contains("href=\"https://exemple.fr\""), "{link}");
        assert!(to_html("[site](https://exemple.fr)").contains("rel=\"noopener noreferrer\""));
    }

    #[test]
    fn plain_text_is_cut_on_a_word() {
        assert_eq!(to_plain("**Vous** rejoignez\n- une équipe", 100), "Vous rejoignez une équipe");
        assert_eq!(to_plain("un deux trois", 8), "un deux…");
    }
}

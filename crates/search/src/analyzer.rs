//! The French analyzer: words split on anything that is not a letter or a digit, lower-cased,
//! accents folded, feminine and inclusive forms brought back to one form, stop words removed,
//! then stemmed (Snowball French). "développeuse", "Développeuse / Développeur",
//! "développeur·euse", "développeurs" and "developpeur" all give the same term.

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, SimpleTokenizer, Stemmer, StopWordFilter, TextAnalyzer, Token,
    TokenFilter, TokenStream, Tokenizer,
};

/// The name under which the analyzer is registered in the index.
pub const FRENCH: &str = "fr_inclusif";

pub fn french() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(InclusiveForms)
        .filter(StopWordFilter::remove(STOP_WORDS.iter().map(|s| (*s).to_string())))
        .filter(Stemmer::new(Language::French))
        .build()
}

/// Folded French stop words (the analyzer folds accents before removing them).
const STOP_WORDS: &[&str] = &[
    "a", "au", "aux", "avec", "ce", "ces", "dans", "de", "des", "du", "elle", "en", "et", "eux", "il", "ils", "je",
    "la", "le", "les", "leur", "lui", "ma", "mais", "me", "meme", "mes", "moi", "mon", "ne", "nos", "notre", "nous",
    "on", "ou", "par", "pas", "pour", "qu", "que", "qui", "sa", "se", "ses", "son", "sur", "ta", "te", "tes", "toi",
    "ton", "tu", "un", "une", "vos", "votre", "vous", "c", "d", "j", "l", "m", "n", "s", "t", "y", "est", "sont",
    "ete", "etre", "h", "f", "hf", "fh",
];

/// Endings written after a middle dot, a dot, a slash or in parentheses in inclusive writing
/// ("développeur·euse", "chargé(e)", "technicien.ne"): alone, they carry no meaning.
const ORPHAN_SUFFIXES: &[&str] =
    &["e", "es", "euse", "euses", "rice", "rices", "trice", "ne", "nne", "ere", "eres", "ive", "ives", "se", "s", "x"];

/// Brings a folded, lower-cased feminine form back to the masculine one.
pub fn masculine(word: &str) -> Option<String> {
    const RULES: &[(&str, &str)] = &[
        ("trices", "teurs"),
        ("trice", "teur"),
        ("euses", "eurs"),
        ("euse", "eur"),
        ("iennes", "iens"),
        ("ienne", "ien"),
        ("eures", "eurs"),
        ("eure", "eur"),
        ("ieres", "iers"),
        ("iere", "ier"),
        ("eres", "ers"),
        ("ere", "er"),
        ("ees", "es"),
        ("ee", "e"),
        ("ffe", "f"),
    ];
    if word.len() < 5 {
        return None;
    }
    RULES.iter().find_map(|(fem, masc)| word.strip_suffix(fem).map(|stem| format!("{stem}{masc}")))
}

#[derive(Clone, Copy, Debug)]
pub struct InclusiveForms;

impl TokenFilter for InclusiveForms {
    type Tokenizer<T: Tokenizer> = InclusiveFormsFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> Self::Tokenizer<T> {
        InclusiveFormsFilter { inner: tokenizer }
    }
}

#[derive(Clone)]
pub struct InclusiveFormsFilter<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for InclusiveFormsFilter<T> {
    type TokenStream<'a> = InclusiveFormsStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        InclusiveFormsStream { tail: self.inner.token_stream(text), previous_end: usize::MAX }
    }
}

pub struct InclusiveFormsStream<S> {
    tail: S,
    /// End offset of the previous word: an ending glued to it by one character is an
    /// inclusive suffix ("développeur·euse"), not a word.
    previous_end: usize,
}

impl<S: TokenStream> TokenStream for InclusiveFormsStream<S> {
    fn advance(&mut self) -> bool {
        while self.tail.advance() {
            let token = self.tail.token_mut();
            // At most a multi-byte separator ("·" is two bytes) between the two.
            let glued = token.offset_from >= self.previous_end && token.offset_from - self.previous_end <= 3;
            self.previous_end = token.offset_to;
            if glued && ORPHAN_SUFFIXES.contains(&token.text.as_str()) {
                continue;
            }
            if let Some(m) = masculine(&token.text) {
                token.text = m;
            }
            return true;
        }
        false
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// The terms the analyzer makes of a text (for queries and tests).
pub fn terms(text: &str) -> Vec<String> {
    let mut analyzer = french();
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inclusive_feminine_plural_and_unaccented_forms_agree() {
        let expected = terms("développeur");
        assert_eq!(expected.len(), 1);
        for form in ["développeuse", "Développeur", "développeurs", "developpeur", "DÉVELOPPEUSES"] {
            assert_eq!(terms(form), expected, "{form}");
        }
        assert_eq!(terms("développeur·euse"), expected);
        assert_eq!(terms("développeur.euse"), expected);
        assert_eq!(terms("Développeuse / Développeur"), [expected.clone(), expected].concat());
    }

    #[test]
    fn other_feminine_forms() {
        assert_eq!(terms("administratrice"), terms("administrateur"));
        assert_eq!(terms("technicienne"), terms("technicien"));
        assert_eq!(terms("ingénieure"), terms("ingénieur"));
        assert_eq!(terms("cheffe"), terms("chef"));
        assert_eq!(terms("chargée"), terms("chargé"));
        assert_eq!(terms("chargé(e)"), terms("chargé"));
        assert_eq!(terms("conseillère"), terms("conseiller"));
    }

    #[test]
    fn stop_words_and_gender_marks_are_dropped() {
        assert_eq!(terms("Chef de projet H/F"), [terms("chef"), terms("projet")].concat());
        assert!(terms("le la les des").is_empty());
    }
}

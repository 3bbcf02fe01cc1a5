//! Search terms: the words of a message reduced to their stems, so «контрольная»,
//! «контрольной» and «контрольную» find each other. Cyrillic words go through the
//! Russian snowball stemmer, Latin ones through the English one; «ё» reads as «е».

use rust_stemmers::{Algorithm, Stemmer};

/// Most terms kept per message; longer texts are searched by their first words.
pub const MAX_TERMS: usize = 300;
/// Most words a query may have.
pub const MAX_QUERY_WORDS: usize = 6;
/// Longest term, in characters: a longer word is kept by its start, which a query
/// for the word (cut the same way) still finds as a prefix. PostgreSQL's B-tree
/// refuses index entries over 2,704 bytes.
pub const MAX_TERM_CHARS: usize = 64;

/// The words of `text`, lower-cased, with «ё» as «е».
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.chars().flat_map(char::to_lowercase).map(|c| if c == 'ё' { 'е' } else { c }).collect())
}

fn stem(stemmers: &(Stemmer, Stemmer), word: &str) -> String {
    let cyrillic = word.chars().any(|c| ('\u{0400}'..='\u{04FF}').contains(&c));
    let stemmer = if cyrillic { &stemmers.0 } else { &stemmers.1 };
    let stem = stemmer.stem(word);
    match stem.char_indices().nth(MAX_TERM_CHARS) {
        Some((end, _)) => stem[..end].to_owned(),
        None => stem.into_owned(),
    }
}

fn stemmers() -> (Stemmer, Stemmer) {
    (Stemmer::create(Algorithm::Russian), Stemmer::create(Algorithm::English))
}

/// The distinct stems of a message, at most `MAX_TERMS`; one-letter words are left out.
pub fn terms(text: &str) -> Vec<String> {
    let stemmers = stemmers();
    let mut terms: Vec<String> = Vec::new();
    for word in words(text) {
        if word.chars().count() < 2 {
            continue;
        }
        let term = stem(&stemmers, &word);
        if !terms.contains(&term) {
            terms.push(term);
            if terms.len() == MAX_TERMS {
                break;
            }
        }
    }
    terms
}

/// The stems a query looks for, each matched as a prefix of a message's terms so a
/// word still being typed («контр») finds its forms.
pub fn query_terms(query: &str) -> Vec<String> {
    let mut terms = terms(query);
    terms.truncate(MAX_QUERY_WORDS);
    terms
}

/// The smallest string greater than every string that starts with `prefix`, for a
/// range scan `term >= prefix AND term < upper` that uses the index.
pub fn prefix_upper_bound(prefix: &str) -> String {
    format!("{prefix}{}", char::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn russian_forms_share_a_stem() {
        let stems: Vec<Vec<String>> = ["контрольная", "контрольной", "контрольную"].iter().map(|w| terms(w)).collect();
        assert!(stems.iter().all(|s| s == &stems[0]), "{stems:?}");
        assert_eq!(terms("Собрание родителей"), terms("собранию родители"));
        assert_eq!(terms("ёлка"), terms("елки"));
    }

    #[test]
    fn english_words_are_stemmed_too_and_short_words_skipped() {
        assert_eq!(terms("reading"), terms("read"));
        assert_eq!(terms("я в 5 А"), Vec::<String>::new());
        assert_eq!(terms("5А 5а"), vec!["5а".to_owned()]);
    }

    #[test]
    fn a_prefix_finds_the_stem_of_a_longer_word() {
        let stored = terms("контрольная работа");
        let query = query_terms("контр");
        assert!(stored.iter().any(|t| t.starts_with(&query[0])));
        assert!(stored[0] < prefix_upper_bound(&query[0]) && stored[0] >= query[0]);
    }

    #[test]
    fn a_long_word_is_kept_by_its_start_and_still_found() {
        let word: String = "абв".repeat(2_000);
        let stored = terms(&format!("{word} конец"));
        assert_eq!(stored[0].chars().count(), MAX_TERM_CHARS);
        assert!(word.starts_with(&stored[0]));
        let query = query_terms(&word);
        assert!(stored[0].starts_with(&query[0]));
    }

    #[test]
    fn terms_are_bounded() {
        let long: String = (0..1000).map(|i| format!("слово{i} ")).collect();
        assert_eq!(terms(&long).len(), MAX_TERMS);
        assert_eq!(query_terms(&long).len(), MAX_QUERY_WORDS);
    }
}

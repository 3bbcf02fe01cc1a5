//! An export's authors against a chat's members: the member each author most likely
//! is, by name — case, «ё», spacing and the order of the words aside, so «Анна
//! Смирнова» is «Смирнова Анна Петровна»'s (family and given name; with the
//! patronymic too). Only a name that fits one member is suggested; the importer
//! confirms or corrects every author.

use std::collections::HashMap;

/// A name's words, lowercased, «ё» as «е», sorted: the key names are compared by.
pub fn name_key(name: &str) -> String {
    let lowered = name.to_lowercase().replace('ё', "е");
    let mut words: Vec<&str> =
        lowered.split(|c: char| c.is_whitespace() || c == ',' || c == '.').filter(|w| !w.is_empty()).collect();
    words.sort_unstable();
    words.join(" ")
}

/// A member as matched: their id and their name's parts.
pub struct Member<'a> {
    pub id: i64,
    pub family_name: &'a str,
    pub given_name: &'a str,
    pub patronymic: Option<&'a str>,
}

/// The member each author name fits, where exactly one does.
pub fn suggest(authors: &[&str], members: &[Member<'_>]) -> HashMap<String, i64> {
    let mut by_key: HashMap<String, Vec<i64>> = HashMap::new();
    for member in members {
        let mut keys = vec![name_key(&format!("{} {}", member.family_name, member.given_name))];
        if let Some(patronymic) = member.patronymic.filter(|p| !p.trim().is_empty()) {
            keys.push(name_key(&format!("{} {} {patronymic}", member.family_name, member.given_name)));
        }
        keys.dedup();
        for key in keys {
            let ids = by_key.entry(key).or_default();
            if !ids.contains(&member.id) {
                ids.push(member.id);
            }
        }
    }
    authors
        .iter()
        .filter_map(|author| match by_key.get(&name_key(author)).map(Vec::as_slice) {
            Some([only]) => Some(((*author).to_owned(), *only)),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_whatever_their_case_order_spacing_and_yo() {
        let members = [
            Member {
                id: 1, family_name: "Смирнова", given_name: "Анна", patronymic: Some("Петровна")
            },
            Member { id: 2, family_name: "Ёлкин", given_name: "Борис", patronymic: None },
            Member { id: 3, family_name: "Иванов", given_name: "Иван", patronymic: None },
            Member { id: 4, family_name: "Иванов", given_name: "Иван", patronymic: Some("Ильич") },
        ];
        let found = suggest(
            &["анна  СМИРНОВА", "Смирнова Анна Петровна", "Борис Елкин", "Иван Иванов", "Иванов Иван Ильич", "Кто-то"],
            &members,
        );
        assert_eq!(found.get("анна  СМИРНОВА"), Some(&1));
        assert_eq!(found.get("Смирнова Анна Петровна"), Some(&1));
        assert_eq!(found.get("Борис Елкин"), Some(&2));
        // Two members fit «Иван Иванов»: none is suggested.
        assert_eq!(found.get("Иван Иванов"), None);
        assert_eq!(found.get("Иванов Иван Ильич"), Some(&4));
        assert_eq!(found.get("Кто-то"), None);
    }
}

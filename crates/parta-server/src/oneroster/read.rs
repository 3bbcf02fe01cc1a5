//! Reading a bundle: the zip within limits (a zip bomb stops at the limit, never
//! inflated whole), each CSV as UTF-8 with its header, each row typed or refused with
//! its line and field. Rows marked `tobedeleted` are left alone: Parta ends nobody's
//! place because a file no longer lists them.

use std::collections::{HashMap, HashSet};
use std::io::Cursor;

use super::{RosterRole, RowNote};

/// The most one CSV of a bundle may hold, and all of them together, unpacked.
const FILE_LIMIT: u64 = 32 << 20;
const TOTAL_LIMIT: u64 = 96 << 20;
const ENTRIES_LIMIT: usize = 200;

/// Why a bundle as a whole cannot be read: `file` names the part (`bundle` for the
/// zip), `line` where it is one line's fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleError {
    pub file: String,
    pub line: Option<u64>,
    /// `not_a_zip`, `too_large`, `file_missing`, `duplicate_file`, `not_utf8`,
    /// `column_missing`, `unreadable`, `version_unsupported`.
    pub code: &'static str,
}

impl BundleError {
    fn new(file: &str, code: &'static str) -> BundleError {
        BundleError { file: file.to_owned(), line: None, code }
    }

    /// The field a problem names: the file, and its line where there is one.
    pub fn field(&self) -> String {
        match self.line {
            Some(line) => format!("{}:{line}", self.file),
            None => self.file.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Org {
    pub sourced_id: String,
    pub name: String,
    pub kind: String,
    pub line: u32,
}

#[derive(Debug, Clone)]
pub struct Class {
    pub sourced_id: String,
    pub title: String,
    pub grades: Vec<String>,
    /// `homeroom` (a class) or `scheduled` (a subject's group).
    pub class_type: String,
    pub school: String,
    /// The school year (as Parta names it) its terms belong to.
    pub year: Option<i64>,
    pub line: u32,
}

#[derive(Debug, Clone)]
pub struct User {
    pub sourced_id: String,
    pub given_name: String,
    pub family_name: String,
    /// Отчество.
    pub middle_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// A student's parents, a parent's children.
    pub agents: Vec<String>,
    pub role: Option<RosterRole>,
    pub orgs: Vec<String>,
    pub line: u32,
}

#[derive(Debug, Clone)]
pub struct Enrollment {
    pub class: String,
    pub user: String,
    pub role: Option<RosterRole>,
    /// A teacher's primary class: the one they lead.
    pub primary: bool,
    pub line: u32,
}

/// A bundle's rows, typed, with the rows left alone and refused.
#[derive(Debug, Default)]
pub struct Bundle {
    pub orgs: Vec<Org>,
    pub classes: Vec<Class>,
    pub users: Vec<User>,
    pub enrollments: Vec<Enrollment>,
    pub left: Vec<RowNote>,
    pub rejected: Vec<RowNote>,
}

/// Takes a bundle apart.
pub fn read_zip(bytes: &[u8]) -> Result<Bundle, BundleError> {
    let files = unzip(bytes)?;
    let manifest = Table::parse("manifest.csv", files.get("manifest.csv"), &["propertyName", "value"])?
        .ok_or_else(|| BundleError::new("manifest.csv", "file_missing"))?;
    let mut properties = HashMap::new();
    for (_, row) in &manifest.rows {
        properties.insert(manifest.get(row, "propertyName").to_owned(), manifest.get(row, "value").to_owned());
    }
    match properties.get("oneroster.version").map(String::as_str) {
        Some("1.1" | "1.2") => {}
        _ => return Err(BundleError::new("manifest.csv", "version_unsupported")),
    }
    // A file the manifest calls absent is not read, whatever the zip holds.
    let present = |name: &str| {
        let key = format!("file.{}", name.trim_end_matches(".csv"));
        !properties.get(&key).is_some_and(|v| v.eq_ignore_ascii_case("absent"))
    };
    let table = |name: &'static str, columns: &[&str]| -> Result<Option<Table>, BundleError> {
        if present(name) { Table::parse(name, files.get(name), columns) } else { Ok(None) }
    };
    let required = |t: Option<Table>, name: &str| t.ok_or_else(|| BundleError::new(name, "file_missing"));

    // Every file is read before any is found missing: a file that cannot be read is
    // the first thing to fix.
    let orgs = table("orgs.csv", &["sourcedId", "name", "type"])?;
    let sessions = table("academicSessions.csv", &["sourcedId", "type", "schoolYear"])?;
    let classes = table("classes.csv", &["sourcedId", "title", "classType", "schoolSourcedId"])?;
    let users = table("users.csv", &["sourcedId", "givenName", "familyName"])?;
    let roles = table("roles.csv", &["userSourcedId", "role", "orgSourcedId"])?;
    let enrollments = table("enrollments.csv", &["classSourcedId", "userSourcedId", "role"])?;
    let orgs = required(orgs, "orgs.csv")?;
    let classes = required(classes, "classes.csv")?;
    let users = required(users, "users.csv")?;
    let enrollments = required(enrollments, "enrollments.csv")?;
    if roles.is_none() && !users.has("role") {
        // 1.2 gives roles a file of their own; 1.1 a column.
        return Err(BundleError::new("roles.csv", "file_missing"));
    }

    let mut bundle = Bundle::default();
    // Marks are the journal's, given by its teachers: a bundle's gradebook is not taken in.
    for file in ["categories.csv", "lineItems.csv", "results.csv"] {
        if present(file) && files.contains_key(file) {
            bundle.left.push(RowNote { file, line: 1, field: None, sourced_id: None, code: "marks_not_imported" });
        }
    }
    for (line, row) in orgs.live_rows(&mut bundle.left) {
        let Some(sourced_id) = orgs.id(row, line, &mut bundle.rejected) else { continue };
        bundle.orgs.push(Org {
            sourced_id,
            name: orgs.get(row, "name").to_owned(),
            kind: orgs.get(row, "type").to_ascii_lowercase(),
            line,
        });
    }

    let mut years: HashMap<String, i64> = HashMap::new();
    if let Some(sessions) = &sessions {
        for (line, row) in sessions.live_rows(&mut bundle.left) {
            let Some(sourced_id) = sessions.id(row, line, &mut bundle.rejected) else { continue };
            match sessions.get(row, "schoolYear").parse::<i64>() {
                Ok(year) if (2000..=2100).contains(&year) => {
                    years.insert(sourced_id, super::parta_year(year));
                }
                _ => bundle.rejected.push(sessions.note(line, Some("schoolYear"), Some(sourced_id), "invalid_value")),
            }
        }
    }

    for (line, row) in classes.live_rows(&mut bundle.left) {
        let Some(sourced_id) = classes.id(row, line, &mut bundle.rejected) else { continue };
        let title = classes.get(row, "title");
        if title.is_empty() {
            bundle.rejected.push(classes.note(line, Some("title"), Some(sourced_id), "required"));
            continue;
        }
        let terms = list(classes.get(row, "termSourcedIds"));
        let year = terms.iter().find_map(|t| years.get(t).copied());
        bundle.classes.push(Class {
            title: title.to_owned(),
            grades: list(classes.get(row, "grades")),
            class_type: classes.get(row, "classType").to_ascii_lowercase(),
            school: classes.get(row, "schoolSourcedId").to_owned(),
            year,
            sourced_id,
            line,
        });
    }

    let mut roles_of: HashMap<String, (bool, Option<RosterRole>, Vec<String>)> = HashMap::new();
    if let Some(roles) = &roles {
        for (line, row) in roles.live_rows(&mut bundle.left) {
            let user = roles.get(row, "userSourcedId").to_owned();
            let Some(role) = RosterRole::parse(roles.get(row, "role")) else {
                bundle.rejected.push(roles.note(line, Some("role"), Some(user), "invalid_value"));
                continue;
            };
            let primary = !roles.get(row, "roleType").eq_ignore_ascii_case("secondary");
            let entry = roles_of.entry(user).or_insert((false, None, Vec::new()));
            entry.2.push(roles.get(row, "orgSourcedId").to_owned());
            // The primary role wins over a secondary one.
            if entry.1.is_none() || (primary && !entry.0) {
                *entry = (primary, Some(role), std::mem::take(&mut entry.2));
            }
        }
    }

    for (line, row) in users.live_rows(&mut bundle.left) {
        let Some(sourced_id) = users.id(row, line, &mut bundle.rejected) else { continue };
        let (role, orgs) = match roles_of.remove(&sourced_id) {
            Some((_, role, orgs)) => (role, orgs),
            None if users.has("role") => match users.get(row, "role") {
                "" => (None, Vec::new()),
                text => match RosterRole::parse(text) {
                    Some(role) => (Some(role), list(users.get(row, "orgSourcedIds"))),
                    None => {
                        bundle.rejected.push(users.note(line, Some("role"), Some(sourced_id), "invalid_value"));
                        continue;
                    }
                },
            },
            None => (None, Vec::new()),
        };
        if role.is_none() {
            bundle.rejected.push(users.note(line, Some("role"), Some(sourced_id), "required"));
            continue;
        }
        let (given, family) = (users.get(row, "givenName"), users.get(row, "familyName"));
        if family.is_empty() || given.is_empty() {
            let field = if family.is_empty() { "familyName" } else { "givenName" };
            bundle.rejected.push(users.note(line, Some(field), Some(sourced_id), "required"));
            continue;
        }
        let optional = |name: &str| Some(users.get(row, name)).filter(|v| !v.is_empty()).map(str::to_owned);
        let mut orgs = orgs;
        orgs.extend(optional("primaryOrgSourcedId"));
        bundle.users.push(User {
            given_name: given.to_owned(),
            family_name: family.to_owned(),
            middle_name: optional("middleName"),
            email: optional("email"),
            phone: optional("phone").or_else(|| optional("sms")),
            agents: list(users.get(row, "agentSourcedIds")),
            role,
            orgs,
            sourced_id,
            line,
        });
    }

    let mut seen = HashSet::new();
    for (line, row) in enrollments.live_rows(&mut bundle.left) {
        let (class, user) = (enrollments.get(row, "classSourcedId"), enrollments.get(row, "userSourcedId"));
        for (field, value) in [("classSourcedId", class), ("userSourcedId", user)] {
            if value.is_empty() {
                bundle.rejected.push(enrollments.note(line, Some(field), None, "required"));
            }
        }
        if class.is_empty() || user.is_empty() {
            continue;
        }
        let sourced_id = Some(enrollments.get(row, "sourcedId").to_owned()).filter(|s| !s.is_empty());
        if !seen.insert((class.to_owned(), user.to_owned())) {
            bundle.rejected.push(enrollments.note(line, None, sourced_id, "duplicate_id"));
            continue;
        }
        bundle.enrollments.push(Enrollment {
            class: class.to_owned(),
            user: user.to_owned(),
            role: RosterRole::parse(enrollments.get(row, "role")),
            primary: enrollments.get(row, "primary").eq_ignore_ascii_case("true"),
            line,
        });
    }
    Ok(bundle)
}

/// A list field: comma separated (quoted as one field).
fn list(text: &str) -> Vec<String> {
    text.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

/// The bundle's CSV files by name (a folder around them is allowed), read within limits.
fn unzip(bytes: &[u8]) -> Result<HashMap<String, Vec<u8>>, BundleError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| BundleError::new("bundle", "not_a_zip"))?;
    if archive.len() > ENTRIES_LIMIT {
        return Err(BundleError::new("bundle", "too_large"));
    }
    let mut files = HashMap::new();
    let mut total = 0u64;
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).map_err(|_| BundleError::new("bundle", "not_a_zip"))?;
        if entry.is_dir() {
            continue;
        }
        // Only the last part of a name counts, so `../x` or `/etc/x` reach nothing.
        let full = entry.name().map_err(|_| BundleError::new("bundle", "not_a_zip"))?;
        let name = full.rsplit(['/', '\\']).next().unwrap_or_default().to_owned();
        if !name.ends_with(".csv") || name.starts_with('.') {
            continue;
        }
        // Within the limit and exactly the size declared (`crate::zipread`).
        let data = crate::zipread::read_entry(&mut entry, FILE_LIMIT).map_err(|code| match code {
            "unreadable" => BundleError::new(&name, "unreadable"),
            _ => BundleError::new(&name, "too_large"),
        })?;
        total += data.len() as u64;
        if total > TOTAL_LIMIT {
            return Err(BundleError::new(&name, "too_large"));
        }
        if files.insert(name.clone(), data).is_some() {
            return Err(BundleError::new(&name, "duplicate_file"));
        }
    }
    Ok(files)
}

/// One CSV file: its columns and rows, with the line each row began on.
struct Table {
    file: &'static str,
    columns: HashMap<String, usize>,
    rows: Vec<(u32, csv::StringRecord)>,
    /// The line each sourcedId first appears on.
    first: HashMap<String, u32>,
}

impl Table {
    /// Reads a file (`None` when the zip lacks it), which must have `required` columns.
    fn parse(file: &'static str, bytes: Option<&Vec<u8>>, required: &[&str]) -> Result<Option<Table>, BundleError> {
        let Some(bytes) = bytes else { return Ok(None) };
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        if let Err(error) = std::str::from_utf8(bytes) {
            let line = bytes[..error.valid_up_to()].iter().filter(|b| **b == b'\n').count() as u64 + 1;
            return Err(BundleError { file: file.to_owned(), line: Some(line), code: "not_utf8" });
        }
        let mut reader = csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(bytes);
        let headers = reader.headers().map_err(|_| BundleError::new(file, "unreadable"))?.clone();
        let columns: HashMap<String, usize> = headers.iter().enumerate().map(|(i, h)| (h.to_owned(), i)).collect();
        if let Some(missing) = required.iter().find(|c| !columns.contains_key(**c)) {
            return Err(BundleError { file: format!("{file}:{missing}"), line: None, code: "column_missing" });
        }
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| BundleError {
                file: file.to_owned(),
                line: e.position().map(|p| p.line()),
                code: "unreadable",
            })?;
            let line = record.position().map_or(0, |p| p.line()) as u32;
            if record.iter().all(str::is_empty) {
                continue;
            }
            rows.push((line, record));
        }
        let mut table = Table { file, columns, rows, first: HashMap::new() };
        for (line, row) in &table.rows {
            let id = table.get(row, "sourcedId").to_owned();
            table.first.entry(id).or_insert(*line);
        }
        Ok(Some(table))
    }

    fn has(&self, column: &str) -> bool {
        self.columns.contains_key(column)
    }

    fn get<'r>(&self, row: &'r csv::StringRecord, column: &str) -> &'r str {
        self.columns.get(column).and_then(|&i| row.get(i)).unwrap_or("")
    }

    fn note(&self, line: u32, field: Option<&'static str>, sourced_id: Option<String>, code: &'static str) -> RowNote {
        RowNote { file: self.file, line, field, sourced_id, code }
    }

    /// The rows not marked `tobedeleted` (those are left alone, and said so).
    fn live_rows<'t>(&'t self, left: &mut Vec<RowNote>) -> Vec<(u32, &'t csv::StringRecord)> {
        let mut live = Vec::new();
        for (line, row) in &self.rows {
            if self.get(row, "status").eq_ignore_ascii_case("tobedeleted") {
                let id = Some(self.get(row, "sourcedId").to_owned()).filter(|s| !s.is_empty());
                left.push(self.note(*line, Some("status"), id, "to_be_deleted"));
            } else {
                live.push((*line, row));
            }
        }
        live
    }

    /// The row's sourcedId, refusing a row without one, and the same id's rows after
    /// its first.
    fn id(&self, row: &csv::StringRecord, line: u32, rejected: &mut Vec<RowNote>) -> Option<String> {
        let id = self.get(row, "sourcedId");
        if id.is_empty() {
            rejected.push(self.note(line, Some("sourcedId"), None, "required"));
            return None;
        }
        if self.first.get(id).is_some_and(|first| *first != line) {
            rejected.push(self.note(line, Some("sourcedId"), Some(id.to_owned()), "duplicate_id"));
            return None;
        }
        Some(id.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn zip_of(files: &[(&str, &str)]) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, text) in files {
            zip.start_file(*name, zip::write::SimpleFileOptions::default()).expect("entry");
            zip.write_all(text.as_bytes()).expect("written");
        }
        zip.finish().expect("zip").into_inner()
    }

    const MANIFEST: &str = "propertyName,value\noneroster.version,1.1\nfile.courses,absent\n";
    const ORGS: &str = "sourcedId,name,type\ns1,School,school\n";

    /// A 1.1 bundle: roles in users.csv, the organisation in `orgSourcedIds`.
    fn bundle(users: &str, enrollments: &str) -> Result<Bundle, BundleError> {
        read_zip(&zip_of(&[
            ("manifest.csv", MANIFEST),
            ("../../orgs.csv", ORGS),
            ("classes.csv", "sourcedId,title,classType,schoolSourcedId\nc1,5А,homeroom,s1\n"),
            ("users.csv", users),
            ("enrollments.csv", enrollments),
        ]))
    }

    #[test]
    fn a_one_point_one_bundle_reads_with_its_roles_and_rows_are_refused_by_line_and_field() {
        let users = "sourcedId,status,role,orgSourcedIds,givenName,familyName,middleName,sms\n\
            u1,active,student,s1,Миша,Волков,,+79120000001\n\
            u1,active,student,s1,Миша,Дубль,,\n\
            ,active,student,s1,Без,Айди,,\n\
            u2,tobedeleted,student,s1,Ушёл,Ушедший,,\n\
            u3,active,astronaut,s1,Космо,Навтов,,\n\
            u4,active,teacher,\"s1,s2\",Анна,\"Петрова, мл.\",Ивановна,\n";
        let enrollments =
            "classSourcedId,userSourcedId,role,primary\nc1,u1,student,false\nc1,u1,student,false\n,u4,teacher,true\n";
        let b = bundle(users, enrollments).expect("readable");
        let ids: Vec<&str> = b.users.iter().map(|u| u.sourced_id.as_str()).collect();
        assert_eq!(ids, ["u1", "u4"]);
        assert_eq!(b.users[0].phone.as_deref(), Some("+79120000001"), "sms stands in for phone");
        assert_eq!(b.users[1].family_name, "Петрова, мл.");
        assert_eq!(b.users[1].orgs, ["s1", "s2"]);
        assert_eq!(b.users[1].role, Some(RosterRole::Teacher));
        let rejected: Vec<(&str, u32, Option<&str>, &str)> =
            b.rejected.iter().map(|n| (n.file, n.line, n.field, n.code)).collect();
        assert_eq!(
            rejected,
            [
                ("users.csv", 3, Some("sourcedId"), "duplicate_id"),
                ("users.csv", 4, Some("sourcedId"), "required"),
                ("users.csv", 6, Some("role"), "invalid_value"),
                ("enrollments.csv", 3, None, "duplicate_id"),
                ("enrollments.csv", 4, Some("classSourcedId"), "required"),
            ]
        );
        assert_eq!(b.left.len(), 1);
        assert_eq!((b.left[0].line, b.left[0].code), (5, "to_be_deleted"));
        assert_eq!(b.classes[0].year, None, "no term, no year");
    }

    #[test]
    fn what_cannot_be_read_is_refused_whole() {
        let refused = |files: &[(&str, &str)]| read_zip(&zip_of(files)).expect_err("refused");
        assert_eq!(read_zip(b"PK\x03\x04 broken").expect_err("refused").code, "not_a_zip");
        assert_eq!(refused(&[("orgs.csv", ORGS)]).code, "file_missing");
        let e = refused(&[("manifest.csv", MANIFEST), ("orgs.csv", ORGS), ("x/orgs.csv", ORGS)]);
        assert_eq!((e.file.as_str(), e.code), ("orgs.csv", "duplicate_file"));
        // A file the manifest calls absent is not read, and then it is missing.
        let absent = "propertyName,value\noneroster.version,1.2\nfile.orgs,absent\n";
        assert_eq!(refused(&[("manifest.csv", absent), ("orgs.csv", ORGS)]).field(), "orgs.csv");
        let e = refused(&[("manifest.csv", MANIFEST), ("orgs.csv", "sourcedId,name\ns1,School\n")]);
        assert_eq!((e.field().as_str(), e.code), ("orgs.csv:type", "column_missing"));
        let e = refused(&[("manifest.csv", MANIFEST), ("orgs.csv", ORGS), ("users.csv", "sourcedId\n\u{0}\n")]);
        assert_eq!(e.code, "column_missing");
    }
}

//! The journal as files a school keeps and prints: an assignment's grid in a period,
//! and a class's summary of period marks («сводная ведомость»), as XLSX or as CSV
//! (UTF-8 with a byte-order mark and `;` between fields, as Excel in Russian opens it).

use std::collections::BTreeMap;

use parta_domain::permission::Permission;
use parta_domain::{AssignmentId, ClassId, GroupId, OrgId, SubjectId, UserId, YearId};
use parta_protocol::JournalGrid;
use rust_xlsxwriter::{Format, Workbook};

use super::journal::{journal_of, render_grid};
use crate::access;
use crate::auth::Actor;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store;

/// A file made for download.
pub struct Export {
    pub content_type: &'static str,
    pub file_name: String,
    pub bytes: Vec<u8>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileFormat {
    Xlsx,
    Csv,
}

impl FileFormat {
    pub(crate) fn parse(text: &str) -> Result<FileFormat> {
        match text {
            "xlsx" => Ok(FileFormat::Xlsx),
            "csv" => Ok(FileFormat::Csv),
            _ => Err(Error::field("format", "unsupported")),
        }
    }
}

/// A table: its sheet's name (XLSX), a title, a header row and rows of text.
pub(crate) struct Table {
    pub sheet: String,
    pub title: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// Tables as one file: a sheet each in XLSX, one after another in CSV.
pub(crate) fn render(tables: &[Table], format: FileFormat, file_stem: &str) -> Result<Export> {
    match format {
        FileFormat::Csv => {
            let mut writer = csv::WriterBuilder::new().delimiter(b';').flexible(true).from_writer(Vec::new());
            let fail = |e: csv::Error| Error::Internal(e.into());
            for (index, table) in tables.iter().enumerate() {
                if index > 0 {
                    writer.write_record([""]).map_err(fail)?;
                }
                writer.write_record([&table.title]).map_err(fail)?;
                writer.write_record(&table.header).map_err(fail)?;
                for row in &table.rows {
                    writer.write_record(row).map_err(fail)?;
                }
            }
            let body = writer.into_inner().map_err(|e| Error::Internal(anyhow::anyhow!("{e}")))?;
            // Excel reads UTF-8 (and so Cyrillic) only after a byte-order mark.
            let mut bytes = "\u{feff}".as_bytes().to_vec();
            bytes.extend(body);
            Ok(Export { content_type: "text/csv; charset=utf-8", file_name: format!("{file_stem}.csv"), bytes })
        }
        FileFormat::Xlsx => {
            let mut workbook = Workbook::new();
            let bold = Format::new().set_bold();
            let fail = |e: rust_xlsxwriter::XlsxError| Error::Internal(anyhow::anyhow!("xlsx: {e}"));
            for table in tables {
                let sheet = workbook.add_worksheet();
                sheet.set_name(&table.sheet).map_err(fail)?;
                sheet.write_string_with_format(0, 0, &table.title, &bold).map_err(fail)?;
                for (column, text) in table.header.iter().enumerate() {
                    sheet.write_string_with_format(2, column as u16, text, &bold).map_err(fail)?;
                }
                for (index, row) in table.rows.iter().enumerate() {
                    for (column, text) in row.iter().enumerate() {
                        let (r, c) = (index as u32 + 3, column as u16);
                        // Numbers stay numbers, so the school can sum and sort them.
                        match text.parse::<f64>() {
                            Ok(number) if !text.is_empty() => sheet.write_number(r, c, number).map_err(fail)?,
                            _ => sheet.write_string(r, c, text).map_err(fail)?,
                        };
                    }
                }
                sheet.set_column_width(0, 32).map_err(fail)?;
            }
            let bytes = workbook.save_to_buffer().map_err(fail)?;
            Ok(Export {
                content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                file_name: format!("{file_stem}.xlsx"),
                bytes,
            })
        }
    }
}

pub(crate) fn full_name(person: &parta_protocol::PersonRef) -> String {
    [Some(person.family_name.as_str()), Some(person.given_name.as_str()), person.patronymic.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ")
}

/// `2026-11-02` as the journal writes it: `02.11`.
fn short_date(date: &str) -> String {
    match (date.get(8..10), date.get(5..7)) {
        (Some(day), Some(month)) => format!("{day}.{month}"),
        _ => date.to_owned(),
    }
}

fn grid_table(grid: &JournalGrid, title: String) -> Table {
    let mut header = vec!["Ученик".to_owned()];
    header.extend(grid.lessons.iter().map(|l| short_date(&l.date)));
    header.extend([
        "Средний балл".to_owned(),
        "Предварительная".to_owned(),
        "Итоговая".to_owned(),
        "Годовая".to_owned(),
    ]);
    let rows = grid
        .rows
        .iter()
        .map(|row| {
            let mut out = vec![full_name(&row.student)];
            for cell in &row.cells {
                let mut parts: Vec<String> = Vec::new();
                if let Some(entry) = &cell.attendance {
                    parts.push(match entry.minutes_late {
                        Some(minutes) => format!("{} {minutes}", entry.absence.letter()),
                        None => entry.absence.letter().to_owned(),
                    });
                }
                parts.extend(cell.grades.iter().map(|g| g.mark.clone()));
                out.push(parts.join(" "));
            }
            out.push(row.average.map(|a| format!("{a:.2}")).unwrap_or_default());
            out.push(row.suggested_mark.clone().unwrap_or_default());
            out.push(row.period_mark.clone().unwrap_or_default());
            out.push(row.year_mark.clone().unwrap_or_default());
            out
        })
        .collect();
    Table { sheet: "Журнал".into(), title, header, rows }
}

/// # An assignment's journal in a period as a file (whoever reads that journal)
pub async fn grid_file(
    state: &AppState,
    actor: &Actor,
    org: OrgId,
    year: YearId,
    assignment: AssignmentId,
    period: i64,
    format: &str,
) -> Result<Export> {
    let mut conn = state.db.reads().acquire().await?;
    let (_, row, period_row) = journal_of(&mut conn, actor, org, year, assignment, period).await?;
    let format = FileFormat::parse(format)?;
    let grid = render_grid(&mut conn, org, &row, &period_row).await?;
    let class = store::schools::get_class(&mut conn, org, ClassId(row.class_id)).await?.ok_or(Error::NotFound)?;
    let subject =
        store::school_year::subject(&mut conn, org, SubjectId(row.subject_id)).await?.ok_or(Error::NotFound)?;
    let title = format!("{} — {}, {}", class.name, subject.name, period_row.name);
    render(&[grid_table(&grid, title)], format, &format!("journal-{}-{}-{}", class.id, subject.id, period_row.number))
}

/// # A class's period marks in every subject as a file («сводная ведомость»; the class teacher, the administration)
/// `period = 0` is the year: for each subject a column per period and the year mark.
pub async fn summary_file(
    state: &AppState,
    actor: &Actor,
    org: OrgId,
    year: YearId,
    class: ClassId,
    period: i64,
    format: &str,
) -> Result<Export> {
    let mut conn = state.db.reads().acquire().await?;
    let (_, class_row) = access::class(&mut conn, actor, org, class, Permission::ReadJournal).await?;
    let format = FileFormat::parse(format)?;
    store::school_year::year(&mut conn, org, year).await?.ok_or(Error::NotFound)?;
    let periods = store::school_year::periods(&mut conn, year).await?;
    let whole_year = period == store::marks::YEAR;
    // The columns of each subject: the period asked for, or every period and the year.
    let (columns, starts_on, ends_on, title_of, stem_of) = if whole_year {
        let (Some(first), Some(last)) = (periods.first(), periods.last()) else {
            return Err(Error::field("period", "unknown_period"));
        };
        let mut columns: Vec<(i64, String)> = periods.iter().map(|p| (p.number, p.name.clone())).collect();
        columns.push((store::marks::YEAR, "Год".to_owned()));
        (columns, first.starts_on.clone(), last.ends_on.clone(), "учебный год".to_owned(), "year".to_owned())
    } else {
        let row =
            periods.iter().find(|p| p.number == period).ok_or_else(|| Error::field("period", "unknown_period"))?;
        (
            vec![(row.number, String::new())],
            row.starts_on.clone(),
            row.ends_on.clone(),
            row.name.clone(),
            row.number.to_string(),
        )
    };
    let students = store::journal::class_students_between(&mut conn, org, class, &starts_on, &ends_on).await?;
    // Subjects by name; a subject taught in groups gathers its groups' marks.
    let mut subjects: BTreeMap<String, BTreeMap<(i64, UserId), String>> = BTreeMap::new();
    for assignment in store::teaching::assignments(&mut conn, org, year, None, Some(class)).await? {
        let Some(subject) = store::school_year::subject(&mut conn, org, SubjectId(assignment.subject_id)).await? else {
            continue;
        };
        let members = match assignment.group_id {
            Some(group) => Some(store::teaching::group_students(&mut conn, GroupId(group)).await?),
            None => None,
        };
        let marks = subjects.entry(subject.name).or_default();
        for (number, student, mark) in store::marks::final_marks(&mut conn, assignment.id).await? {
            if columns.iter().any(|(n, _)| *n == number)
                && members.as_ref().is_none_or(|m| m.contains(&UserId(student)))
            {
                marks.insert((number, UserId(student)), mark);
            }
        }
    }
    let mut header = vec!["Ученик".to_owned()];
    for name in subjects.keys() {
        header.extend(
            columns.iter().map(|(_, column)| if whole_year { format!("{name}: {column}") } else { name.clone() }),
        );
    }
    let mut people = Vec::with_capacity(students.len());
    for student in students {
        if let Some(person) = store::users::person(&mut conn, student).await? {
            people.push(person);
        }
    }
    people.sort_by(|a, b| (&a.family_name, &a.given_name).cmp(&(&b.family_name, &b.given_name)));
    let rows = people
        .iter()
        .map(|person| {
            let mut row = vec![full_name(person)];
            for marks in subjects.values() {
                row.extend(columns.iter().map(|(n, _)| marks.get(&(*n, person.id)).cloned().unwrap_or_default()));
            }
            row
        })
        .collect();
    let title = format!("Сводная ведомость: {}, {}", class_row.name, title_of);
    render(
        &[Table { sheet: "Ведомость".into(), title, header, rows }],
        format,
        &format!("summary-{}-{}", class_row.id, stem_of),
    )
}

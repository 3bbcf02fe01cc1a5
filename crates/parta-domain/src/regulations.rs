//! The regulations' numbers and what they judge (seed 001 §5.1–5.2, after SanPiN):
//! how long an online lesson may run, how much homework one day may carry, and how
//! soon a teacher enters homework and marks. The numbers are data: a school may
//! tighten them, never loosen them. Times are milliseconds since the epoch, as stored.

use serde::{Deserialize, Serialize};

use crate::validate::FieldError;

/// A school's thresholds; `Thresholds::SEEDS` are the regulations' own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Thresholds {
    /// The longest online lesson, minutes, for grades 1–2, 3–4, 5–6 and 7–11.
    pub lesson_minutes: [i64; 4],
    /// The most homework due on one day, minutes, for grades 2–3, 4–5, 6–8 and 9–11.
    /// The seeds name no amount for grade 1, so none is set for it.
    pub homework_day_minutes: [i64; 4],
    /// Homework is entered within this many minutes after its lesson ends.
    pub homework_entry_minutes: i64,
    /// Marks are entered within this many days after the lesson, or after the work
    /// was handed in.
    pub marks_entry_days: i64,
    /// Homework that would take a day over its limit is refused, not only warned of.
    pub homework_limit_strict: bool,
}

impl Default for Thresholds {
    fn default() -> Thresholds {
        Thresholds::SEEDS
    }
}

impl Thresholds {
    /// Seed 001 §5.1: «для учащихся 1-2 классов - не более 20 минут, для учащихся 3-4
    /// классов - не более 25 минут, для учащихся 5-6 классов - не более 30 минут, для
    /// учащихся 7-11 классов - 35 минут»; «во 2-3 классах - 1,5 ч., в 4-5 классах - 2 ч.,
    /// в 6-8 классах - 2,5 ч., в 9-11 классах - до 3,5 ч.». Seed 001 §5.2: homework «не
    /// позднее 2 часов после проведения урока», marks «не позднее 7 дней».
    pub const SEEDS: Thresholds = Thresholds {
        lesson_minutes: [20, 25, 30, 35],
        homework_day_minutes: [90, 120, 150, 210],
        homework_entry_minutes: 120,
        marks_entry_days: 7,
        homework_limit_strict: false,
    };

    /// The longest online lesson for a grade; `None` outside grades 1–11 (a class
    /// without a grade, an «объединение» of additional education).
    pub fn lesson_limit(&self, grade: i64) -> Option<i64> {
        let band = match grade {
            1..=2 => 0,
            3..=4 => 1,
            5..=6 => 2,
            7..=11 => 3,
            _ => return None,
        };
        Some(self.lesson_minutes[band])
    }

    /// The most homework one day may carry for a grade; `None` for grade 1 and
    /// outside grades 1–11.
    pub fn homework_day_limit(&self, grade: i64) -> Option<i64> {
        let band = match grade {
            2..=3 => 0,
            4..=5 => 1,
            6..=8 => 2,
            9..=11 => 3,
            _ => return None,
        };
        Some(self.homework_day_minutes[band])
    }

    /// When a lesson's homework is due in the journal.
    pub fn homework_due_by(&self, lesson_ends_at: i64) -> i64 {
        lesson_ends_at + self.homework_entry_minutes * 60_000
    }

    /// When a mark is due: `since` is the lesson's end, or the hand-in when the mark is
    /// for work handed in.
    pub fn mark_due_by(&self, since: i64) -> i64 {
        since + self.marks_entry_days * 86_400_000
    }

    /// A school's thresholds as it sets them: each at least 1 and no looser than the
    /// regulations'.
    pub fn check(&self) -> Result<(), Vec<FieldError>> {
        let seeds = Thresholds::SEEDS;
        let mut errors = Vec::new();
        let mut within = |field: String, value: i64, most: i64| {
            if value < 1 {
                errors.push(FieldError { field, code: "out_of_range" });
            } else if value > most {
                errors.push(FieldError { field, code: "looser_than_regulations" });
            }
        };
        for (i, (value, most)) in self.lesson_minutes.iter().zip(seeds.lesson_minutes).enumerate() {
            within(format!("lesson_minutes[{i}]"), *value, most);
        }
        for (i, (value, most)) in self.homework_day_minutes.iter().zip(seeds.homework_day_minutes).enumerate() {
            within(format!("homework_day_minutes[{i}]"), *value, most);
        }
        within("homework_entry_minutes".into(), self.homework_entry_minutes, seeds.homework_entry_minutes);
        within("marks_entry_days".into(), self.marks_entry_days, seeds.marks_entry_days);
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }
}

/// One piece of homework due on a day: its minutes, and whom it is for (`None`: the
/// whole class; `Some(group)`: that group's members).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DueHomework {
    pub minutes: i64,
    pub group: Option<i64>,
}

/// The heaviest load among `students` on one day: each student carries the homework
/// for the whole class and for the groups they are in (`groups_of`).
pub fn heaviest_day<'a, S: Copy>(
    due: &[DueHomework],
    students: impl IntoIterator<Item = S>,
    groups_of: impl Fn(S) -> &'a [i64],
) -> i64 {
    students
        .into_iter()
        .map(|student| {
            let groups = groups_of(student);
            due.iter().filter(|h| h.group.is_none_or(|g| groups.contains(&g))).map(|h| h.minutes).sum()
        })
        .max()
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_001_5_1_online_lessons_last_20_25_30_35_minutes_by_grade() {
        let t = Thresholds::SEEDS;
        let limits: Vec<_> = (0..=12).map(|grade| t.lesson_limit(grade)).collect();
        assert_eq!(
            limits,
            [
                None,
                Some(20),
                Some(20),
                Some(25),
                Some(25),
                Some(30),
                Some(30),
                Some(35),
                Some(35),
                Some(35),
                Some(35),
                Some(35),
                None
            ]
        );
    }

    #[test]
    fn seed_001_5_1_homework_a_day_is_1_5_2_2_5_3_5_hours_by_grade_and_none_is_named_for_grade_1() {
        let t = Thresholds::SEEDS;
        let limits: Vec<_> = (0..=12).map(|grade| t.homework_day_limit(grade)).collect();
        assert_eq!(
            limits,
            [
                None,
                None,
                Some(90),
                Some(90),
                Some(120),
                Some(120),
                Some(150),
                Some(150),
                Some(150),
                Some(210),
                Some(210),
                Some(210),
                None
            ]
        );
    }

    #[test]
    fn seed_001_5_2_homework_within_2_hours_and_marks_within_7_days() {
        let t = Thresholds::SEEDS;
        let lesson_ends = 1_000_000;
        assert_eq!(t.homework_due_by(lesson_ends), lesson_ends + 2 * 3_600_000);
        assert_eq!(t.mark_due_by(lesson_ends), lesson_ends + 7 * 86_400_000);
    }

    #[test]
    fn a_school_may_tighten_the_numbers_but_not_loosen_them() {
        let tighter = Thresholds { homework_day_minutes: [60, 90, 120, 180], marks_entry_days: 3, ..Thresholds::SEEDS };
        assert_eq!(tighter.check(), Ok(()));
        let looser = Thresholds { lesson_minutes: [20, 25, 45, 35], homework_entry_minutes: 0, ..Thresholds::SEEDS };
        let codes: Vec<_> =
            looser.check().expect_err("looser numbers are refused").into_iter().map(|e| (e.field, e.code)).collect();
        assert_eq!(
            codes,
            [
                ("lesson_minutes[2]".to_owned(), "looser_than_regulations"),
                ("homework_entry_minutes".to_owned(), "out_of_range")
            ]
        );
    }

    #[test]
    fn a_day_weighs_what_its_heaviest_student_carries() {
        // The whole class's maths (40) and Russian (30); English in two groups (1: 25, 2: 45).
        let due = [
            DueHomework { minutes: 40, group: None },
            DueHomework { minutes: 30, group: None },
            DueHomework { minutes: 25, group: Some(1) },
            DueHomework { minutes: 45, group: Some(2) },
        ];
        let groups: [(u32, &[i64]); 3] = [(1, &[1]), (2, &[2]), (3, &[])];
        let of = |s: u32| groups.iter().find(|(id, _)| *id == s).map_or(&[][..], |(_, g)| *g);
        assert_eq!(heaviest_day(&due, [1, 3], of), 95);
        assert_eq!(heaviest_day(&due, [1, 2, 3], of), 115, "the second group's student carries most");
        assert_eq!(heaviest_day(&due, Vec::<u32>::new(), of), 0);
    }
}

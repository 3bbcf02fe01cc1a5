//! The school's week on paper, before anything is sent: subjects and their hours,
//! bells, who teaches what, a timetable with no teacher or class in two places at
//! once, the year's dates, and which students are absent or get a mark at a lesson.
//! All deterministic, so a rerun writes the same journal.

use jiff::civil::{Date, Weekday};

/// Subjects with their lessons a week (28 in all, as in a Russian middle school).
pub const SUBJECTS: [(&str, &str, usize); 11] = [
    ("Русский язык", "Рус", 5),
    ("Математика", "Мат", 5),
    ("Литература", "Лит", 3),
    ("Английский язык", "Англ", 3),
    ("История", "Ист", 2),
    ("Биология", "Био", 2),
    ("География", "Гео", 2),
    ("Физика", "Физ", 2),
    ("Физическая культура", "Физ-ра", 2),
    ("Информатика", "Инф", 1),
    ("Изобразительное искусство", "ИЗО", 1),
];

/// Bells of the one shift: seven lessons a day.
pub const BELLS: [(&str, &str); 7] = [
    ("08:00", "08:45"),
    ("08:55", "09:40"),
    ("10:00", "10:45"),
    ("11:05", "11:50"),
    ("12:00", "12:45"),
    ("12:55", "13:40"),
    ("13:50", "14:35"),
];

pub const DAYS: usize = 5;

pub fn lessons_a_week() -> usize {
    SUBJECTS.iter().map(|s| s.2).sum()
}

/// Who teaches subject `s` in class `c`: `table[c][s]`, a teacher index below `teachers`.
/// Teachers are spread over subjects by their hours; each teaches a block of classes.
pub fn teachers(classes: usize, teachers: usize) -> anyhow::Result<Vec<Vec<usize>>> {
    anyhow::ensure!(classes > 0 && teachers > 0, "a school needs classes and teachers");
    let week = lessons_a_week();
    let subjects = SUBJECTS.len();
    // Pools of teachers per subject: proportional to the hours when there are enough
    // teachers, otherwise subjects share teachers.
    let pools: Vec<Vec<usize>> = if teachers >= subjects {
        let mut sizes: Vec<usize> =
            SUBJECTS.iter().map(|s| ((teachers * s.2) as f64 / week as f64).round().max(1.0) as usize).collect();
        while sizes.iter().sum::<usize>() > teachers {
            let at = (0..subjects).filter(|&i| sizes[i] > 1).max_by_key(|&i| sizes[i]).unwrap_or(0);
            sizes[at] -= 1;
        }
        while sizes.iter().sum::<usize>() < teachers {
            // The subject with the most hours per teacher gets one more.
            let at = (0..subjects)
                .max_by(|&a, &b| {
                    let load = |i: usize| SUBJECTS[i].2 as f64 / sizes[i] as f64;
                    load(a).total_cmp(&load(b))
                })
                .unwrap_or(0);
            sizes[at] += 1;
        }
        let mut next = 0;
        sizes
            .iter()
            .map(|&n| {
                let pool = (next..next + n).collect();
                next += n;
                pool
            })
            .collect()
    } else {
        (0..subjects).map(|s| vec![s % teachers]).collect()
    };
    let table: Vec<Vec<usize>> = (0..classes)
        .map(|c| {
            (0..subjects)
                .map(|s| {
                    let pool = &pools[s];
                    if pool.len() == 1 { pool[0] } else { pool[c * pool.len() / classes] }
                })
                .collect()
        })
        .collect();
    let mut load = vec![0; teachers];
    for row in &table {
        for (s, &t) in row.iter().enumerate() {
            load[t] += SUBJECTS[s].2;
        }
    }
    let slots = DAYS * BELLS.len();
    if let Some(busiest) = load.iter().max() {
        anyhow::ensure!(
            *busiest <= slots,
            "{teachers} teachers are too few for {classes} classes: one would teach {busiest} lessons a week of {slots}"
        );
    }
    Ok(table)
}

/// One lesson of a class's week.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    /// 0 = Monday.
    pub day: usize,
    /// 0 = the first bell.
    pub bell: usize,
    pub subject: usize,
}

/// Places every class's lessons in the week: a class and a teacher are in one place at
/// a time, a subject is at most once a day where the week allows, days start at the
/// first bell. `table` is `teachers`' answer.
pub fn timetable(table: &[Vec<usize>], teachers: usize) -> anyhow::Result<Vec<Vec<Slot>>> {
    let bells = BELLS.len();
    let mut teacher_busy = vec![vec![false; DAYS * bells]; teachers];
    let mut out = Vec::with_capacity(table.len());
    for (c, row) in table.iter().enumerate() {
        let mut class_busy = vec![false; DAYS * bells];
        // Each subject's lessons, interleaved so that no subject waits for the others.
        let mut items: Vec<(usize, usize)> = Vec::new();
        let most = SUBJECTS.iter().map(|s| s.2).max().unwrap_or(0);
        for round in 0..most {
            for (s, subject) in SUBJECTS.iter().enumerate() {
                if round < subject.2 {
                    items.push((s, round));
                }
            }
        }
        let mut slots: Vec<Slot> = Vec::with_capacity(items.len());
        for (subject, round) in items {
            let teacher = row[subject];
            let free =
                |day: usize, bell: usize| !class_busy[day * bells + bell] && !teacher_busy[teacher][day * bells + bell];
            let has_subject = |day: usize| slots.iter().any(|p| p.day == day && p.subject == subject);
            // Days in turn from a start that moves with the class and the round, so
            // that days fill evenly; the earliest free bell of the first day that fits.
            let order: Vec<usize> = (0..DAYS).map(|d| (d + c + round * 2 + subject) % DAYS).collect();
            let pick = |avoid_repeat: bool| {
                // The emptiest days first, so that days end at about the same bell.
                let mut days = order.clone();
                days.sort_by_key(|&d| slots.iter().filter(|p| p.day == d).count());
                days.into_iter()
                    .filter(|&d| !avoid_repeat || !has_subject(d))
                    .find_map(|d| (0..bells).find(|&b| free(d, b)).map(|b| (d, b)))
            };
            let (day, bell) = pick(true).or_else(|| pick(false)).ok_or_else(|| {
                anyhow::anyhow!("class {c}: no free slot for subject {subject} (teacher {teacher} is busy)")
            })?;
            class_busy[day * bells + bell] = true;
            teacher_busy[teacher][day * bells + bell] = true;
            slots.push(Slot { day, bell, subject });
        }
        out.push(slots);
    }
    Ok(out)
}

/// The first Monday on or after `today`: the year starts there, so that everyone
/// registered today is in their class on every day of it.
pub fn year_start(today: Date) -> Date {
    let mut day = today;
    while day.weekday() != Weekday::Monday {
        day = day.tomorrow().unwrap_or(day);
    }
    day
}

pub fn add_days(date: Date, days: i64) -> Date {
    date.checked_add(jiff::Span::new().days(days)).unwrap_or(date)
}

/// The school day of week `week` (0-based from the start) and weekday `day` (0 = Monday).
pub fn school_day(start: Date, week: usize, day: usize) -> Date {
    add_days(start, (week * 7 + day) as i64)
}

/// The year's periods: `count` of nearly equal length over `weeks` weeks from `start`
/// (Monday to the Sunday that ends the last week).
pub fn periods(start: Date, weeks: usize, count: usize) -> Vec<(Date, Date)> {
    let days = (weeks * 7) as i64;
    (0..count as i64)
        .map(|i| {
            let first = add_days(start, days * i / count as i64);
            let last = add_days(start, days * (i + 1) / count as i64 - 1);
            (first, last)
        })
        .collect()
}

/// A number that looks random but is the same for the same input (SplitMix64).
pub fn mix(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Of `n` students at a lesson: `absent` who are not there and `marked` others who get
/// a mark, all distinct, chosen from `seed`. Indexes into the class list.
pub fn pick(seed: u64, n: usize, absent: usize, marked: usize) -> (Vec<usize>, Vec<usize>) {
    let mut order: Vec<usize> = (0..n).collect();
    // A partial Fisher–Yates shuffle: only as many as are needed.
    let wanted = (absent + marked).min(n);
    for i in 0..wanted {
        let j = i + (mix(seed ^ ((i as u64) << 32)) as usize) % (n - i);
        order.swap(i, j);
    }
    let absent_ones = order[..absent.min(wanted)].to_vec();
    let marked_ones = order[absent.min(wanted)..wanted].to_vec();
    (absent_ones, marked_ones)
}

/// A mark as a Russian teacher gives them: mostly fours and fives.
pub fn mark(seed: u64) -> &'static str {
    match mix(seed) % 20 {
        0 => "2",
        1..=4 => "3",
        5..=12 => "4",
        _ => "5",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(classes: usize, teacher_count: usize) {
        let table = teachers(classes, teacher_count).expect("enough teachers");
        let week = timetable(&table, teacher_count).expect("the week fits");
        let mut teacher_at = std::collections::HashSet::new();
        for (c, slots) in week.iter().enumerate() {
            assert_eq!(slots.len(), lessons_a_week(), "class {c} has its whole week");
            let mut class_at = std::collections::HashSet::new();
            for slot in slots {
                assert!(slot.day < DAYS && slot.bell < BELLS.len());
                assert!(class_at.insert((slot.day, slot.bell)), "class {c} twice at {slot:?}");
                let teacher = table[c][slot.subject];
                assert!(teacher_at.insert((teacher, slot.day, slot.bell)), "teacher {teacher} twice at {slot:?}");
            }
            for (s, subject) in SUBJECTS.iter().enumerate() {
                let count = slots.iter().filter(|p| p.subject == s).count();
                assert_eq!(count, subject.2, "class {c}, subject {s}");
            }
        }
    }

    #[test]
    fn the_issue_s_school_gets_a_week_without_clashes() {
        check(60, 100);
    }

    #[test]
    fn small_schools_and_shared_teachers_fit_too() {
        check(1, 1);
        check(2, 3);
        check(4, 12);
        check(12, 20);
        check(30, 50);
    }

    #[test]
    fn too_few_teachers_are_refused() {
        assert!(teachers(10, 2).is_err());
    }

    #[test]
    fn teachers_share_the_load_evenly_at_full_scale() {
        let table = teachers(60, 100).expect("enough teachers");
        let mut load = vec![0; 100];
        for row in &table {
            for (s, &t) in row.iter().enumerate() {
                load[t] += SUBJECTS[s].2;
            }
        }
        assert!(load.iter().all(|&l| l > 0), "every teacher teaches: {load:?}");
        assert!(load.iter().all(|&l| l <= 24), "nobody teaches more than 24 a week: {load:?}");
    }

    #[test]
    fn the_year_starts_on_a_monday_and_its_periods_follow_each_other() {
        let sunday = jiff::civil::date(2026, 12, 6);
        let start = year_start(sunday);
        assert_eq!(start, jiff::civil::date(2026, 12, 7));
        assert_eq!(year_start(start), start);
        assert_eq!(school_day(start, 1, 2), jiff::civil::date(2026, 12, 16));
        let periods = periods(start, 34, 4);
        assert_eq!(periods.len(), 4);
        assert_eq!(periods[0].0, start);
        assert_eq!(periods[3].1, add_days(start, 34 * 7 - 1));
        for pair in periods.windows(2) {
            assert_eq!(add_days(pair[0].1, 1), pair[1].0);
        }
    }

    #[test]
    fn picks_are_distinct_and_repeatable() {
        for seed in 0..200 {
            let (absent, marked) = pick(seed, 25, 2, 3);
            assert_eq!((absent.len(), marked.len()), (2, 3));
            let mut all: Vec<usize> = absent.iter().chain(&marked).copied().collect();
            all.sort_unstable();
            all.dedup();
            assert_eq!(all.len(), 5);
            assert!(all.iter().all(|&i| i < 25));
            assert_eq!(pick(seed, 25, 2, 3), (absent, marked));
        }
        assert_eq!(pick(1, 3, 2, 3).1.len(), 1);
        assert_eq!(pick(1, 0, 2, 3), (vec![], vec![]));
        assert!(["2", "3", "4", "5"].contains(&mark(7)));
    }
}

//! The new school year (seed 004 §3; PRODUCT.md §8): each class of the year that ends
//! goes on under its next grade's name (5А → 6А, the letter kept), the leaving grades
//! leave (or, where the school says so, go on to 10th), and the exceptions picked by
//! name — kept down a year, leaving, moving class — go where they are sent. Groups
//! without a grade («объединения») go on under their name. Pure: the server loads the
//! classes and their students, asks `plan`, and writes what it answers.

use std::collections::{BTreeMap, BTreeSet};

use crate::validate::FieldError;
use crate::{ClassId, UserId};

/// The grade after which pupils leave unless the school keeps the class on (ОГЭ, 9th),
/// and the last grade there is.
pub const BASIC_SCHOOL_LAST_GRADE: i64 = 9;
pub const LAST_GRADE: i64 = 11;

/// A class of the year that ends, with its students now.
#[derive(Debug, Clone)]
pub struct ClassNow {
    pub id: ClassId,
    pub name: String,
    pub grade: Option<i64>,
    pub students: Vec<UserId>,
}

/// What the admin picked for one student.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exception {
    /// Kept down a year: into next year's class of the same name.
    Repeat,
    /// Leaves the school at the end of the year.
    Leave,
    /// Goes on with another class of this year (into where that class goes).
    MoveWith(ClassId),
}

#[derive(Debug, Clone)]
pub struct Choices {
    /// Grades whose classes leave the school (by default 9 and 11).
    pub leaving_grades: BTreeSet<i64>,
    /// Classes of a leaving grade that go on to the next grade all the same.
    pub continuing: BTreeSet<ClassId>,
    pub exceptions: Vec<(UserId, Exception)>,
}

impl Choices {
    pub fn default_leaving_grades() -> BTreeSet<i64> {
        BTreeSet::from([BASIC_SCHOOL_LAST_GRADE, LAST_GRADE])
    }
}

/// Where a class goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Goes on as next year's class `name` of grade `grade` (`None`: an «объединение»).
    GoesOn { name: String, grade: Option<i64> },
    /// Its students leave the school; its chats become archives.
    Graduates,
}

/// Where a student goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// Into next year's class of this name.
    Class(String),
    Graduates,
    Leaves,
}

/// Next year's class, by name: the one a class of this year becomes, or one made
/// for students kept down where no class of this year becomes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextClass {
    pub name: String,
    pub grade: Option<i64>,
    /// The class of this year it continues (its chats follow), if any.
    pub from: Option<ClassId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub outcomes: BTreeMap<ClassId, Outcome>,
    /// Every student of this year's classes, each once: their main class (a graded one
    /// before a group without a grade) and where they go. Graduating or leaving, they
    /// leave every place; going on, their other places go with their groups.
    pub students: BTreeMap<UserId, (ClassId, Destination)>,
    pub next_classes: Vec<NextClass>,
    /// Next year's names that the school already has in the new year: the transition
    /// cannot make them.
    pub taken: Vec<String>,
}

/// 5А → 6А: the grade at the start of the name is replaced, the rest kept. A name
/// that does not start with its grade (a club, «Класс Петровой») is kept as it is.
pub fn next_name(name: &str, grade: i64) -> String {
    let digits: String = name.chars().take_while(|c| c.is_ascii_digit()).collect();
    if digits.parse::<i64>().ok() == Some(grade) {
        format!("{}{}", grade + 1, &name[digits.len()..])
    } else {
        name.to_string()
    }
}

/// The plan, or the fields that make it impossible (`exceptions[i].…`, `continuing`).
/// `taken_names`: the classes the new year already has.
pub fn plan(classes: &[ClassNow], choices: &Choices, taken_names: &BTreeSet<String>) -> Result<Plan, Vec<FieldError>> {
    let mut errors = Vec::new();
    let by_id: BTreeMap<ClassId, &ClassNow> = classes.iter().map(|c| (c.id, c)).collect();
    for class in &choices.continuing {
        match by_id.get(class).and_then(|c| c.grade) {
            Some(grade) if choices.leaving_grades.contains(&grade) && grade < LAST_GRADE => {}
            _ => errors.push(FieldError::new("continuing", "not_a_leaving_class")),
        }
    }
    let mut outcomes = BTreeMap::new();
    for class in classes {
        let outcome = match class.grade {
            None => Outcome::GoesOn { name: class.name.clone(), grade: None },
            Some(grade)
                if grade >= LAST_GRADE
                    || (choices.leaving_grades.contains(&grade) && !choices.continuing.contains(&class.id)) =>
            {
                Outcome::Graduates
            }
            Some(grade) => Outcome::GoesOn { name: next_name(&class.name, grade), grade: Some(grade + 1) },
        };
        outcomes.insert(class.id, outcome);
    }
    let mut students = BTreeMap::new();
    for class in classes {
        let goes = match &outcomes[&class.id] {
            Outcome::GoesOn { name, .. } => Destination::Class(name.clone()),
            Outcome::Graduates => Destination::Graduates,
        };
        for student in &class.students {
            // A student's main class is a graded one; a group without a grade (a club
            // beside it) is a second place that goes with its group.
            let main = match students.get(student) {
                None => true,
                Some((held, _)) => by_id[held].grade.is_none() && class.grade.is_some(),
            };
            if main {
                students.insert(*student, (class.id, goes.clone()));
            }
        }
    }
    // Those kept down go into next year's class of their class's name and grade.
    let mut kept_down: BTreeMap<String, Option<i64>> = BTreeMap::new();
    let mut seen = BTreeSet::new();
    for (index, (student, exception)) in choices.exceptions.iter().enumerate() {
        let field = |name: &str| format!("exceptions[{index}].{name}");
        let Some((from, _)) = students.get(student).cloned() else {
            errors.push(FieldError::new(&field("student_id"), "not_a_student"));
            continue;
        };
        if !seen.insert(*student) {
            errors.push(FieldError::new(&field("student_id"), "duplicate_student"));
            continue;
        }
        let destination = match exception {
            Exception::Leave => Destination::Leaves,
            Exception::Repeat => {
                let class = by_id[&from];
                kept_down.insert(class.name.clone(), class.grade);
                Destination::Class(class.name.clone())
            }
            Exception::MoveWith(to) => match outcomes.get(to) {
                Some(Outcome::GoesOn { name, .. }) if *to != from => Destination::Class(name.clone()),
                Some(Outcome::Graduates) => {
                    errors.push(FieldError::new(&field("to_class_id"), "class_graduates"));
                    continue;
                }
                Some(_) => {
                    errors.push(FieldError::new(&field("to_class_id"), "same_class"));
                    continue;
                }
                None => {
                    errors.push(FieldError::new(&field("to_class_id"), "unknown_class"));
                    continue;
                }
            },
        };
        students.insert(*student, (from, destination));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut next_classes: Vec<NextClass> = classes
        .iter()
        .filter_map(|c| match &outcomes[&c.id] {
            Outcome::GoesOn { name, grade } => Some(NextClass { name: name.clone(), grade: *grade, from: Some(c.id) }),
            Outcome::Graduates => None,
        })
        .collect();
    for (name, grade) in kept_down {
        if !next_classes.iter().any(|n| n.name == name) {
            next_classes.push(NextClass { name, grade, from: None });
        }
    }
    let mut names = BTreeSet::new();
    let mut taken = Vec::new();
    for next in &next_classes {
        // Two classes of this year becoming one name (a club named «6А») is a clash too.
        if taken_names.contains(&next.name) || !names.insert(next.name.clone()) {
            taken.push(next.name.clone());
        }
    }
    Ok(Plan { outcomes, students, next_classes, taken })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(id: i64, name: &str, grade: Option<i64>, students: &[i64]) -> ClassNow {
        ClassNow { id: ClassId(id), name: name.into(), grade, students: students.iter().map(|s| UserId(*s)).collect() }
    }

    fn choices(exceptions: Vec<(i64, Exception)>) -> Choices {
        Choices {
            leaving_grades: Choices::default_leaving_grades(),
            continuing: BTreeSet::new(),
            exceptions: exceptions.into_iter().map(|(s, e)| (UserId(s), e)).collect(),
        }
    }

    fn goes(plan: &Plan, student: i64) -> Destination {
        plan.students[&UserId(student)].1.clone()
    }

    #[test]
    fn the_letter_is_kept_and_the_grade_goes_up() {
        assert_eq!(next_name("5А", 5), "6А");
        assert_eq!(next_name("9Б", 9), "10Б");
        assert_eq!(next_name("10 «Инженерный»", 10), "11 «Инженерный»");
        // A name that does not start with its grade is kept.
        assert_eq!(next_name("Класс Петровой", 3), "Класс Петровой");
        assert_eq!(next_name("15А", 5), "15А");
    }

    #[test]
    fn classes_go_on_and_the_leaving_grades_graduate() {
        let classes = [
            class(1, "4А", Some(4), &[10, 11]),
            class(2, "9А", Some(9), &[20]),
            class(3, "9Б", Some(9), &[21]),
            class(4, "11А", Some(11), &[30]),
            class(5, "Робототехника", None, &[40]),
        ];
        let mut c = choices(vec![]);
        c.continuing.insert(ClassId(2));
        let plan = plan(&classes, &c, &BTreeSet::new()).expect("a plan");
        assert_eq!(plan.outcomes[&ClassId(1)], Outcome::GoesOn { name: "5А".into(), grade: Some(5) });
        assert_eq!(plan.outcomes[&ClassId(2)], Outcome::GoesOn { name: "10А".into(), grade: Some(10) });
        assert_eq!(plan.outcomes[&ClassId(3)], Outcome::Graduates);
        assert_eq!(plan.outcomes[&ClassId(4)], Outcome::Graduates);
        // A group of additional education goes on under its own name, without a grade.
        assert_eq!(plan.outcomes[&ClassId(5)], Outcome::GoesOn { name: "Робототехника".into(), grade: None });
        assert_eq!(goes(&plan, 10), Destination::Class("5А".into()));
        assert_eq!(goes(&plan, 21), Destination::Graduates);
        assert_eq!(plan.next_classes.len(), 3);
        assert!(plan.taken.is_empty());
    }

    #[test]
    fn exceptions_go_where_they_are_sent() {
        let classes =
            [class(1, "4А", Some(4), &[10]), class(2, "5А", Some(5), &[20, 21, 22]), class(3, "5Б", Some(5), &[30])];
        let c = choices(vec![(20, Exception::Repeat), (21, Exception::Leave), (22, Exception::MoveWith(ClassId(3)))]);
        let plan = plan(&classes, &c, &BTreeSet::new()).expect("a plan");
        // Kept down: into the 5А that 4А becomes.
        assert_eq!(goes(&plan, 20), Destination::Class("5А".into()));
        assert_eq!(goes(&plan, 21), Destination::Leaves);
        assert_eq!(goes(&plan, 22), Destination::Class("6Б".into()));
        assert_eq!(plan.students[&UserId(22)].0, ClassId(2));
        assert_eq!(plan.next_classes.iter().filter(|n| n.name == "5А").count(), 1);
    }

    #[test]
    fn someone_kept_down_where_no_class_comes_up_gets_a_new_class() {
        let classes = [class(2, "5А", Some(5), &[20, 21])];
        let plan = plan(&classes, &choices(vec![(20, Exception::Repeat)]), &BTreeSet::new()).expect("a plan");
        assert!(plan.next_classes.contains(&NextClass { name: "5А".into(), grade: Some(5), from: None }));
        assert!(plan.next_classes.contains(&NextClass { name: "6А".into(), grade: Some(6), from: Some(ClassId(2)) }));
    }

    #[test]
    fn a_name_the_new_year_has_already_is_reported() {
        let classes = [class(1, "5А", Some(5), &[]), class(2, "6А", Some(6), &[])];
        let plan = plan(&classes, &choices(vec![]), &BTreeSet::from(["6А".to_string()])).expect("a plan");
        assert_eq!(plan.taken, vec!["6А".to_string()]);
    }

    #[test]
    fn impossible_choices_are_refused_at_their_fields() {
        let classes = [class(1, "5А", Some(5), &[10]), class(2, "11А", Some(11), &[20]), class(3, "9А", Some(9), &[])];
        let mut c = choices(vec![
            (99, Exception::Leave),
            (10, Exception::MoveWith(ClassId(2))),
            (20, Exception::MoveWith(ClassId(2))),
            (20, Exception::Leave),
        ]);
        // Grade 11 cannot go on, nor a class of a grade that does not leave.
        c.continuing.extend([ClassId(2), ClassId(1)]);
        let errors = plan(&classes, &c, &BTreeSet::new()).expect_err("refused");
        let fields: Vec<(&str, &str)> = errors.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            fields,
            [
                ("continuing", "not_a_leaving_class"),
                ("continuing", "not_a_leaving_class"),
                ("exceptions[0].student_id", "not_a_student"),
                ("exceptions[1].to_class_id", "class_graduates"),
                ("exceptions[2].to_class_id", "class_graduates"),
                ("exceptions[3].student_id", "duplicate_student"),
            ]
        );
    }

    #[test]
    fn a_student_in_a_club_is_placed_by_their_graded_class() {
        let classes = [
            class(1, "Робототехника", None, &[10, 11]),
            class(2, "5А", Some(5), &[10]),
            class(3, "9А", Some(9), &[11]),
        ];
        let plan = plan(&classes, &choices(vec![(10, Exception::Repeat)]), &BTreeSet::new()).expect("a plan");
        assert_eq!(plan.students[&UserId(10)], (ClassId(2), Destination::Class("5А".into())));
        assert_eq!(plan.students[&UserId(11)], (ClassId(3), Destination::Graduates));
        assert_eq!(plan.outcomes[&ClassId(1)], Outcome::GoesOn { name: "Робототехника".into(), grade: None });
    }
}

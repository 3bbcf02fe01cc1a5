//! The school's register in and out as a OneRoster 1.2 CSV bundle (PRODUCT.md
//! §8.10). An import runs whole inside one transaction — a dry run is the same run,
//! rolled back, so what it shows is what applying does. It creates classes and the
//! people the register expects, each with a link of their own (nobody's password is
//! set by a file: people join themselves), updates the names and classes of those it
//! knows by the roster's id, links those already in the school by name and place, and
//! leaves alone what it does not carry. Importing the same bundle twice changes
//! nothing. An export writes the school the same way; imported into an empty school,
//! it exports again the same files. Joining by a register link (`do_claim`) gives the
//! places the register says: a student their class, staff the staff room (and the
//! class they lead), a parent a place beside each child who has joined — and those
//! who join later.

use std::collections::{HashMap, HashSet};

use parta_domain::consent::ConsentKind;
use parta_domain::permission::Permission;
use parta_domain::validate::{self, FieldError};
use parta_domain::{ClassId, MemberRole, OrgId, UserId};
use parta_protocol::{JoinOutcome, RosterChange, RosterCounts, RosterImport, RosterLink, RosterPerson, RosterRow};
use serde_json::json;
use sqlx::AnyConnection;

use crate::access;
use crate::auth::Actor;
use crate::clock::{rfc3339, today_in};
use crate::error::{Error, Result};
use crate::oneroster::read::{Bundle, User};
use crate::oneroster::{self, RosterRole, RowNote, write};
use crate::state::AppState;
use crate::store;
use crate::store::audit::Entry;
use crate::store::directory::{NewMembership, PlaceRow};
use crate::store::invites::InviteRow;
use crate::store::roster::{PersonFields, PersonRow, full_name};
use crate::store::schools::{ClassRow, NewClass};
use crate::work::Work;

/// How long a person's own link from an import admits them.
/// The largest bundle an import takes (a school of 3,000 is a few megabytes).
pub const MAX_BUNDLE_BYTES: usize = 32 << 20;

// ---------- import ----------

/// Imports under way on this node at once: each holds its bundle (up to 32 MiB, and
/// what it unpacks to) and, on SQLite, the writer while it runs.
static IMPORTS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// # Before a bundle is read: whoever may not import is refused before a byte of it
/// comes in, and beyond two imports at once the answer is `server_busy` (503).
/// Hold the permit until the import ends.
pub async fn admit_import(
    state: &AppState,
    actor: &Actor,
    org: OrgId,
) -> Result<tokio::sync::SemaphorePermit<'static>> {
    let mut conn = state.db.reads().acquire().await?;
    access::school(&mut conn, actor, org, Permission::ExchangeRoster).await?;
    IMPORTS.try_acquire().map_err(|_| Error::Busy)
}

/// # Import a OneRoster bundle, or see what it would do (`apply` false)
/// Called with `admit_import`'s permit held.
pub async fn import(state: &AppState, actor: &Actor, org: OrgId, bytes: Vec<u8>, apply: bool) -> Result<RosterImport> {
    let bundle = tokio::task::spawn_blocking(move || oneroster::read_zip(&bytes))
        .await
        .map_err(|e| Error::Internal(e.into()))?
        .map_err(|e| Error::Validation(vec![FieldError { field: e.field(), code: e.code }]))?;
    let mut work = state.begin().await?;
    let access = access::school(&mut work, actor, org, Permission::ExchangeRoster).await?;
    let today = today_in(&access.org.time_zone);
    let mut run = Run::load(&mut work, org, actor.user_id, today).await?;
    run.school(&mut work, &bundle).await?;
    run.classes(&mut work, &bundle).await?;
    run.people(&mut work, &bundle, apply).await?;
    let report = run.report(&bundle, !apply);
    if apply {
        store::audit::record(
            &mut work,
            Entry {
                org: Some(org),
                actor: Some(actor.user_id),
                action: "roster_imported",
                target_type: "school",
                target_id: Some(org.0),
                details: json!({
                    "classes": counts_json(&report.classes), "people": counts_json(&report.people),
                    "rejected": report.rejected.len(), "left": report.left.len(), "links": report.links.len(),
                }),
            },
        )
        .await?;
        work.commit(state).await?;
    }
    // A dry run's work is dropped: rolled back, nothing written.
    Ok(report)
}

fn counts_json(c: &RosterCounts) -> serde_json::Value {
    json!({ "created": c.created, "updated": c.updated, "linked": c.linked, "unchanged": c.unchanged })
}

/// One import's state: the register as it stood, and what the run did to it.
struct Run {
    org: OrgId,
    by: UserId,
    today: String,
    school: String,
    classes: Vec<ClassRow>,
    staff_room: ClassId,
    /// The roster's class ids, both ways.
    class_of_sid: HashMap<String, ClassId>,
    people: HashMap<String, PersonRow>,
    guardians: HashSet<(i64, i64)>,
    places: Vec<PlaceRow>,
    /// The places by their person's name (`name_key`), and the accounts the register
    /// already holds: who may still be linked by name.
    places_by_name: HashMap<String, Vec<usize>>,
    linked_users: HashSet<i64>,
    /// The classes this bundle brings (or found): roster id → class.
    imported_classes: HashMap<String, ClassId>,
    class_counts: RosterCounts,
    people_counts: RosterCounts,
    changes: Vec<(u32, RosterChange)>,
    left: Vec<RowNote>,
    rejected: Vec<RowNote>,
    links: Vec<RosterLink>,
}

fn change(action: &str, entity: &str, sourced_id: &str, name: String, fields: Vec<&str>) -> RosterChange {
    RosterChange {
        action: action.into(),
        entity: entity.into(),
        sourced_id: sourced_id.into(),
        name,
        fields: fields.into_iter().map(str::to_owned).collect(),
    }
}

/// A name as compared when linking people: case, «ё» and spacing aside.
fn name_key(family: &str, given: &str, patronymic: Option<&str>) -> String {
    full_name(family, given, patronymic)
        .to_lowercase()
        .replace('ё', "е")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A person of the bundle as the register will hold them.
struct Person<'b> {
    user: &'b User,
    role: RosterRole,
    family_name: String,
    given_name: String,
    patronymic: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    /// A student's class (the latest year's), the class a teacher leads.
    class: Option<(ClassId, i64)>,
    children: Vec<String>,
}

impl Person<'_> {
    fn fields(&self) -> PersonFields<'_> {
        PersonFields {
            role: self.role.as_str(),
            family_name: &self.family_name,
            given_name: &self.given_name,
            patronymic: self.patronymic.as_deref(),
            email: self.email.as_deref(),
            phone: self.phone.as_deref(),
            class: self.class.map(|c| c.0),
        }
    }

    fn name(&self) -> String {
        full_name(&self.family_name, &self.given_name, self.patronymic.as_deref())
    }
}

impl Run {
    async fn load(conn: &mut AnyConnection, org: OrgId, by: UserId, today: String) -> Result<Run> {
        let classes = store::schools::list_classes(conn, org).await?;
        let staff_room = classes.iter().find(|c| c.is_staff_room()).map(ClassRow::class_id).ok_or(Error::NotFound)?;
        let class_of_sid = store::roster::ids(conn, org, "class")
            .await?
            .into_iter()
            .map(|(local, sid)| (sid, ClassId(local)))
            .collect();
        let people: HashMap<String, PersonRow> =
            store::roster::people(conn, org).await?.into_iter().map(|p| (p.sourced_id.clone(), p)).collect();
        let guardians = store::roster::guardians(conn, org).await?.into_iter().collect();
        let places = store::directory::school_places(conn, org, None).await?;
        let school = store::roster::ids(conn, org, "school").await?.pop().map(|(_, sid)| sid).unwrap_or_default();
        let mut places_by_name: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, p) in places.iter().enumerate() {
            places_by_name.entry(name_key(&p.family_name, &p.given_name, p.patronymic.as_deref())).or_default().push(i);
        }
        let linked_users = people.values().filter_map(|p: &PersonRow| p.user_id).collect();
        Ok(Run {
            org,
            by,
            today,
            school,
            classes,
            staff_room,
            class_of_sid,
            people,
            guardians,
            places,
            places_by_name,
            linked_users,
            imported_classes: HashMap::new(),
            class_counts: RosterCounts::default(),
            people_counts: RosterCounts::default(),
            changes: Vec::new(),
            left: Vec::new(),
            rejected: Vec::new(),
            links: Vec::new(),
        })
    }

    /// Which of the bundle's schools this one is: the one it was before, or its only one.
    async fn school(&mut self, conn: &mut AnyConnection, bundle: &Bundle) -> Result<()> {
        let refuse = |code| Error::Validation(vec![FieldError::new("orgs.csv", code)]);
        if !self.school.is_empty() {
            return if bundle.orgs.iter().any(|o| o.sourced_id == self.school) {
                Ok(())
            } else {
                Err(refuse("other_school"))
            };
        }
        let schools: Vec<_> = bundle.orgs.iter().filter(|o| o.kind == "school").collect();
        match schools.as_slice() {
            [one] => {
                self.school = one.sourced_id.clone();
                store::roster::insert_id(conn, self.org, "school", self.org.0, &self.school).await?;
                Ok(())
            }
            [] => Err(refuse("no_school")),
            _ => Err(refuse("several_schools")),
        }
    }

    async fn classes(&mut self, conn: &mut AnyConnection, bundle: &Bundle) -> Result<()> {
        let mut archived: HashMap<i64, bool> = HashMap::new();
        for c in &bundle.classes {
            let note = |field, code| RowNote {
                file: "classes.csv",
                line: c.line,
                field: Some(field),
                sourced_id: Some(c.sourced_id.clone()),
                code,
            };
            if c.school != self.school {
                self.left.push(note("schoolSourcedId", "other_school"));
                continue;
            }
            if !matches!(c.class_type.as_str(), "homeroom" | "") {
                // A subject's group: teaching is set up in Parta's own assignments.
                self.left.push(note("classType", "not_a_class"));
                continue;
            }
            let Some(year) = c.year else {
                self.rejected.push(note("termSourcedIds", "unknown_reference"));
                continue;
            };
            let name = match validate::class_name(&c.title) {
                Ok(name) => name,
                Err(e) => {
                    self.rejected.push(note("title", e.code));
                    continue;
                }
            };
            let is_archived = match archived.get(&year) {
                Some(known) => *known,
                None => {
                    let found = store::year_transition::year_archived(conn, self.org, year).await?;
                    archived.insert(year, found);
                    found
                }
            };
            if is_archived {
                self.rejected.push(note("termSourcedIds", "year_archived"));
                continue;
            }
            let grade = oneroster::grade_of(&c.grades);
            let taken = |classes: &[ClassRow], except: Option<ClassId>| {
                classes.iter().any(|k| {
                    k.kind == "class" && k.academic_year == Some(year) && k.name == name && Some(k.class_id()) != except
                })
            };
            if let Some(id) = self.class_of_sid.get(&c.sourced_id).copied() {
                let Some(row) = self.classes.iter().find(|k| k.class_id() == id).cloned() else { continue };
                if row.academic_year != Some(year) {
                    self.rejected.push(note("termSourcedIds", "year_changed"));
                    continue;
                }
                let mut fields = Vec::new();
                if row.name != name {
                    if taken(&self.classes, Some(id)) {
                        self.rejected.push(note("title", "class_name_taken"));
                        continue;
                    }
                    fields.push("name");
                }
                if row.grade != grade {
                    fields.push("grade");
                }
                if fields.is_empty() {
                    self.class_counts.unchanged += 1;
                } else {
                    self.set_class(conn, &row, &name, grade).await?;
                    self.class_counts.updated += 1;
                    self.changes.push((0, change("updated", "class", &c.sourced_id, name.clone(), fields)));
                }
                self.imported_classes.insert(c.sourced_id.clone(), id);
                continue;
            }
            let found = self
                .classes
                .iter()
                .find(|k| k.kind == "class" && k.academic_year == Some(year) && k.name == name)
                .cloned()
                .filter(|k| !self.class_of_sid.values().any(|v| *v == k.class_id()));
            let id = match found {
                Some(row) => {
                    if row.grade != grade {
                        self.set_class(conn, &row, &name, grade).await?;
                    }
                    self.class_counts.linked += 1;
                    self.changes.push((0, change("linked", "class", &c.sourced_id, name.clone(), Vec::new())));
                    row.class_id()
                }
                None if taken(&self.classes, None) => {
                    // Its name this year belongs to a class another roster id holds.
                    self.rejected.push(note("title", "class_name_taken"));
                    continue;
                }
                None => {
                    let new = NewClass { kind: "class", name: &name, grade, academic_year: Some(year), unit: None };
                    let id = store::schools::insert_class(conn, self.org, &new).await?;
                    super::seats::do_create_class_chats(conn, self.org, id, &name).await?;
                    self.classes.push(ClassRow {
                        id: id.0,
                        org_id: self.org.0,
                        unit_id: None,
                        kind: "class".into(),
                        name: name.clone(),
                        grade,
                        academic_year: Some(year),
                    });
                    self.class_counts.created += 1;
                    self.changes.push((0, change("created", "class", &c.sourced_id, name.clone(), Vec::new())));
                    id
                }
            };
            store::roster::insert_id(conn, self.org, "class", id.0, &c.sourced_id).await?;
            self.class_of_sid.insert(c.sourced_id.clone(), id);
            self.imported_classes.insert(c.sourced_id.clone(), id);
        }
        Ok(())
    }

    async fn set_class(
        &mut self,
        conn: &mut AnyConnection,
        row: &ClassRow,
        name: &str,
        grade: Option<i64>,
    ) -> Result<()> {
        let unit = row.unit_id.map(parta_domain::UnitId);
        store::schools::update_class(conn, self.org, row.class_id(), name, grade, unit).await?;
        if row.name != name {
            store::chats::rename_class_chats(conn, row.class_id(), name).await?;
        }
        if let Some(k) = self.classes.iter_mut().find(|k| k.id == row.id) {
            k.name = name.to_owned();
            k.grade = grade;
        }
        Ok(())
    }

    /// The bundle's people checked as the register will hold them; the refused said.
    fn checked_people<'b>(&mut self, bundle: &'b Bundle) -> Vec<Person<'b>> {
        let mut people: Vec<Person<'b>> = Vec::new();
        for user in &bundle.users {
            let note = |field, code| RowNote {
                file: "users.csv",
                line: user.line,
                field,
                sourced_id: Some(user.sourced_id.clone()),
                code,
            };
            if !user.orgs.is_empty() && !user.orgs.contains(&self.school) {
                self.left.push(note(Some("orgSourcedIds"), "other_school"));
                continue;
            }
            let Some(role) = user.role else { continue };
            let name = match validate::person_name_all(&user.family_name, &user.given_name, user.middle_name.as_deref())
            {
                Ok(name) => name,
                Err(errors) => {
                    let e = &errors[0];
                    let field = match e.field.as_str() {
                        "family_name" => "familyName",
                        "given_name" => "givenName",
                        _ => "middleName",
                    };
                    self.rejected.push(note(Some(field), e.code));
                    continue;
                }
            };
            let email = match user.email.as_deref().map(|e| validate::email("email", e)) {
                Some(Err(e)) => {
                    self.rejected.push(note(Some("email"), e.code));
                    continue;
                }
                other => other.and_then(Result::ok),
            };
            let phone = match user.phone.as_deref().map(|p| validate::phone("phone", p)) {
                Some(Err(e)) => {
                    self.rejected.push(note(Some("phone"), e.code));
                    continue;
                }
                other => other.and_then(Result::ok),
            };
            people.push(Person {
                user,
                role,
                family_name: name.family,
                given_name: name.given,
                patronymic: name.patronymic,
                email,
                phone,
                class: None,
                children: Vec::new(),
            });
        }

        // Places from the enrollments: a student's class, the class a teacher leads.
        let index: HashMap<&str, usize> =
            people.iter().enumerate().map(|(i, p)| (p.user.sourced_id.as_str(), i)).collect();
        let known: HashSet<&str> = bundle.users.iter().map(|u| u.sourced_id.as_str()).collect();
        let bundle_classes: HashSet<&str> = bundle.classes.iter().map(|c| c.sourced_id.as_str()).collect();
        for e in &bundle.enrollments {
            let note = |field, code| RowNote { file: "enrollments.csv", line: e.line, field, sourced_id: None, code };
            let Some(&class) = self.imported_classes.get(&e.class) else {
                if bundle_classes.contains(e.class.as_str()) {
                    // The class's own row says why it is not here.
                    self.left.push(note(Some("classSourcedId"), "class_not_imported"));
                } else {
                    self.rejected.push(note(Some("classSourcedId"), "unknown_reference"));
                }
                continue;
            };
            let Some(&i) = index.get(e.user.as_str()) else {
                if !known.contains(e.user.as_str()) {
                    self.rejected.push(note(Some("userSourcedId"), "unknown_reference"));
                }
                continue;
            };
            let year = self.classes.iter().find(|k| k.class_id() == class).and_then(|k| k.academic_year).unwrap_or(0);
            let person = &mut people[i];
            match person.role {
                RosterRole::Student => match person.class {
                    Some((_, y)) if y == year => self.rejected.push(note(Some("classSourcedId"), "second_class")),
                    Some((_, y)) if y > year => self.left.push(note(Some("classSourcedId"), "earlier_year")),
                    _ => person.class = Some((class, year)),
                },
                RosterRole::Teacher | RosterRole::Employee if e.primary => match person.class {
                    Some((_, y)) if y >= year => self.left.push(note(Some("primary"), "second_lead")),
                    _ => person.class = Some((class, year)),
                },
                RosterRole::Teacher | RosterRole::Employee => self.left.push(note(Some("role"), "subject_teaching")),
                RosterRole::Parent => self.left.push(note(Some("role"), "parent_enrollment")),
            }
        }

        // A student needs a class; a parent a child of the register.
        let students: HashSet<String> = people
            .iter()
            .filter(|p| p.role == RosterRole::Student && p.class.is_some())
            .map(|p| p.user.sourced_id.clone())
            .collect();
        let mut children_of: HashMap<String, Vec<String>> = HashMap::new();
        for p in &people {
            if p.role == RosterRole::Parent {
                children_of
                    .entry(p.user.sourced_id.clone())
                    .or_default()
                    .extend(p.user.agents.iter().filter(|a| students.contains(*a)).cloned());
            } else if students.contains(&p.user.sourced_id) {
                for agent in &p.user.agents {
                    children_of.entry(agent.clone()).or_default().push(p.user.sourced_id.clone());
                }
            }
        }
        people.retain_mut(|p| {
            let note = |field, code| RowNote {
                file: "users.csv",
                line: p.user.line,
                field,
                sourced_id: Some(p.user.sourced_id.clone()),
                code,
            };
            match p.role {
                RosterRole::Student if p.class.is_none() => {
                    self.rejected.push(note(None, "no_class"));
                    false
                }
                RosterRole::Parent => {
                    let mut children = children_of.remove(&p.user.sourced_id).unwrap_or_default();
                    children.sort();
                    children.dedup();
                    if children.is_empty() {
                        self.rejected.push(note(Some("agentSourcedIds"), "no_child"));
                        return false;
                    }
                    p.children = children;
                    true
                }
                _ => true,
            }
        });
        people
    }

    async fn people(&mut self, work: &mut Work, bundle: &Bundle, apply: bool) -> Result<()> {
        let mut people = self.checked_people(bundle);
        // Children before parents: a parent is linked by the place beside their child.
        people.sort_by_key(|p| (p.role == RosterRole::Parent, p.user.line));
        for person in &people {
            let sid = &person.user.sourced_id;
            if let Some(row) = self.people.get(sid).cloned() {
                self.update(work, &row, person).await?;
                continue;
            }
            let found = self.known_by_name(person);
            let fields = person.fields();
            let id = store::roster::insert_person(work, self.org, sid, &fields, found).await?;
            self.linked_users.extend(found.map(|u| u.0));
            let row = PersonRow {
                id,
                org_id: self.org.0,
                sourced_id: sid.clone(),
                role: fields.role.to_owned(),
                family_name: person.family_name.clone(),
                given_name: person.given_name.clone(),
                patronymic: person.patronymic.clone(),
                email: person.email.clone(),
                phone: person.phone.clone(),
                class_id: fields.class.map(|c| c.0),
                user_id: found.map(|u| u.0),
            };
            self.people.insert(sid.clone(), row.clone());
            if found.is_some() {
                self.people_counts.linked += 1;
                self.changes.push((person.user.line, change("linked", "person", sid, person.name(), Vec::new())));
            } else {
                self.people_counts.created += 1;
                self.changes.push((person.user.line, change("created", "person", sid, person.name(), Vec::new())));
                self.link(work, &row, person, apply).await?;
            }
        }
        for person in people.iter().filter(|p| p.role == RosterRole::Parent) {
            let parent = &self.people[&person.user.sourced_id];
            let (parent_id, parent_user) = (parent.id, parent.user_id);
            for child in &person.children {
                let Some((child_id, child_user)) = self.people.get(child).map(|c| (c.id, c.user_id)) else { continue };
                if self.guardians.insert((parent_id, child_id)) {
                    store::roster::insert_guardian(work, self.org, parent_id, child_id).await?;
                }
                // Two who have both joined, not yet beside each other: the parent's place
                // comes with their consent for the child, by the class's parent link.
                if let (Some(parent_user), Some(child_user)) = (parent_user, child_user)
                    && !self.places.iter().any(|p| {
                        p.user_id == parent_user
                            && p.role() == MemberRole::Parent
                            && p.child_user_id == Some(child_user)
                    })
                {
                    self.left.push(RowNote {
                        file: "users.csv",
                        line: person.user.line,
                        field: Some("agentSourcedIds"),
                        sourced_id: Some(person.user.sourced_id.clone()),
                        code: "parent_link_needed",
                    });
                }
            }
        }
        Ok(())
    }

    /// A person the register knew: what changed is written to the register, and to the
    /// account of one who joined — their name, a student's class.
    async fn update(&mut self, work: &mut Work, row: &PersonRow, person: &Person<'_>) -> Result<()> {
        let sid = &person.user.sourced_id;
        if row.role != person.role.as_str() {
            // A role changes in the school (a teacher who became a parent there joins again).
            self.rejected.push(RowNote {
                file: "users.csv",
                line: person.user.line,
                field: Some("role"),
                sourced_id: Some(sid.clone()),
                code: "role_changed",
            });
            return Ok(());
        }
        let mut fields = Vec::new();
        let renamed = row.family_name != person.family_name
            || row.given_name != person.given_name
            || row.patronymic != person.patronymic;
        if row.family_name != person.family_name {
            fields.push("family_name");
        }
        if row.given_name != person.given_name {
            fields.push("given_name");
        }
        if row.patronymic != person.patronymic {
            fields.push("patronymic");
        }
        if row.email != person.email {
            fields.push("email");
        }
        if row.phone != person.phone {
            fields.push("phone");
        }
        let class = person.class.map(|c| c.0.0);
        if row.class_id != class {
            fields.push("class");
        }
        if fields.is_empty() {
            self.people_counts.unchanged += 1;
            return Ok(());
        }
        store::roster::update_person(work, row.id, &person.fields()).await?;
        if let Some(user) = row.user_id.map(UserId) {
            if renamed {
                let name = parta_domain::validate::PersonName {
                    family: person.family_name.clone(),
                    given: person.given_name.clone(),
                    patronymic: person.patronymic.clone(),
                };
                let before = super::profile::do_rename(work, user, &name).await?;
                store::audit::record(
                    work,
                    Entry {
                        org: Some(self.org),
                        actor: Some(self.by),
                        action: "name_corrected",
                        target_type: "user",
                        target_id: Some(user.0),
                        details: json!({
                            "from": super::profile::name_json(&before), "to": super::profile::name_json(&name),
                            "by_roster": sid,
                        }),
                    },
                )
                .await?;
            }
            if person.role == RosterRole::Student
                && let Some((to, _)) = person.class
                && let Some(place) = self
                    .places
                    .iter()
                    .find(|p| p.user_id == user.0 && p.role() == MemberRole::Student && p.class_id() != to)
            {
                super::members::do_transfer_student(work, place, to, &self.today, self.by).await?;
            }
        }
        let mut row = row.clone();
        let f = person.fields();
        (row.family_name, row.given_name, row.patronymic) =
            (f.family_name.into(), f.given_name.into(), f.patronymic.map(str::to_owned));
        (row.email, row.phone, row.class_id) = (f.email.map(str::to_owned), f.phone.map(str::to_owned), class);
        self.people.insert(sid.clone(), row);
        self.people_counts.updated += 1;
        self.changes.push((person.user.line, change("updated", "person", sid, person.name(), fields)));
        Ok(())
    }

    /// Someone already in the school the register names, not yet known by a roster id:
    /// the same name in the same place — a student in their class, staff in the staff
    /// room, a parent beside one of their children. Only one such person links.
    fn known_by_name(&self, person: &Person<'_>) -> Option<UserId> {
        let key = name_key(&person.family_name, &person.given_name, person.patronymic.as_deref());
        let children: HashSet<i64> =
            person.children.iter().filter_map(|c| self.people.get(c).and_then(|p| p.user_id)).collect();
        let mut found: Vec<i64> = self
            .places_by_name
            .get(&key)
            .into_iter()
            .flatten()
            .map(|&i| &self.places[i])
            .filter(|p| !self.linked_users.contains(&p.user_id))
            .filter(|p| match person.role {
                RosterRole::Student => {
                    p.role() == MemberRole::Student && person.class.is_some_and(|(c, _)| c == p.class_id())
                }
                RosterRole::Parent => {
                    p.role() == MemberRole::Parent && p.child_user_id.is_some_and(|c| children.contains(&c))
                }
                RosterRole::Teacher => p.role() == MemberRole::Teacher,
                RosterRole::Employee => {
                    matches!(p.role(), MemberRole::Employee | MemberRole::Director | MemberRole::Deputy)
                }
            })
            .map(|p| p.user_id)
            .collect();
        found.sort_unstable();
        found.dedup();
        match found.as_slice() {
            [one] => Some(UserId(*one)),
            _ => None,
        }
    }

    /// A new person's own link: one use, for them only.
    async fn link(&mut self, work: &mut Work, row: &PersonRow, person: &Person<'_>, apply: bool) -> Result<()> {
        let child_class = person.children.iter().find_map(|c| self.people.get(c)).and_then(|c| c.class_id);
        let place = super::roster_links::invite_place(
            person.role,
            person.class.map(|c| c.0),
            self.staff_room,
            child_class.map(ClassId),
        );
        let Some(place) = place else { return Ok(()) };
        let class = place.1;
        let (token, expires_at) = super::roster_links::do_issue(work, self.org, self.by, row.id, place).await?;
        if apply {
            let class_name = (person.role != RosterRole::Employee && person.role != RosterRole::Teacher)
                .then(|| self.classes.iter().find(|k| k.class_id() == class).map(|k| k.name.clone()))
                .flatten();
            self.links.push(RosterLink {
                sourced_id: person.user.sourced_id.clone(),
                name: person.name(),
                role: person.role.as_str().into(),
                class_name,
                path: super::invites::join_path(&token),
                expires_at: rfc3339(expires_at),
            });
        }
        Ok(())
    }

    fn report(mut self, bundle: &Bundle, dry_run: bool) -> RosterImport {
        self.changes.sort_by_key(|(line, _)| *line);
        let row = |n: RowNote| RosterRow {
            file: n.file.into(),
            line: n.line,
            field: n.field.map(str::to_owned),
            sourced_id: n.sourced_id,
            code: n.code.into(),
        };
        let mut left: Vec<RowNote> = bundle.left.iter().cloned().chain(self.left).collect();
        let mut rejected: Vec<RowNote> = bundle.rejected.iter().cloned().chain(self.rejected).collect();
        left.sort_by_key(|n| (n.file, n.line));
        rejected.sort_by_key(|n| (n.file, n.line));
        RosterImport {
            dry_run,
            classes: self.class_counts,
            people: self.people_counts,
            changes: self.changes.into_iter().map(|(_, c)| c).collect(),
            left: left.into_iter().map(row).collect(),
            rejected: rejected.into_iter().map(row).collect(),
            links: self.links,
        }
    }
}

// ---------- joining by a register link ----------

/// Who a register link is for, for the join page.
pub(crate) async fn for_person(conn: &mut AnyConnection, row: &InviteRow) -> Result<Option<RosterPerson>> {
    let Some(id) = row.roster_person_id else { return Ok(None) };
    let Some(person) = store::roster::person(conn, id).await? else { return Ok(None) };
    let children = store::roster::relatives(conn, id, false)
        .await?
        .into_iter()
        .map(|c| full_name(&c.family_name, &c.given_name, None))
        .collect();
    Ok(Some(RosterPerson {
        family_name: person.family_name,
        given_name: person.given_name,
        patronymic: person.patronymic,
        children,
    }))
}

/// Uses a person's own register link for `user`: the register's person becomes
/// theirs and they get the places it says, inside the caller's transaction.
pub(crate) async fn do_claim(work: &mut Work, row: &InviteRow, person: i64, user: UserId) -> Result<JoinOutcome> {
    let org = row.org_id();
    let person = store::roster::person(work, person).await?.filter(|p| p.org_id == org.0).ok_or(Error::NotFound)?;
    if person.user_id.is_some() {
        return Err(Error::Gone("invite_used_up"));
    }
    if store::roster::is_linked(work, org, user).await? {
        return Err(Error::Conflict("already_member"));
    }
    if !store::invites::take_use(work, row.invite_id()).await?
        || !store::roster::set_user(work, person.id, user).await?
    {
        return Err(Error::Gone("invite_used_up"));
    }
    let school = store::schools::get(work, org).await?.ok_or(Error::NotFound)?;
    let today = today_in(&school.time_zone);
    let role = RosterRole::from_stored(&person.role).ok_or(Error::NotFound)?;
    let mut placed = false;
    match role {
        RosterRole::Student => {
            if let Some(class) = person.class_id.map(ClassId) {
                do_place(work, org, user, MemberRole::Student, class, None, &today).await?;
                placed = true;
                // Parents who joined before their child take their places beside them now.
                for parent in store::roster::relatives(work, person.id, true).await? {
                    if let Some(parent) = parent.user_id.map(UserId) {
                        do_parent_place(work, org, parent, user, class, &today).await?;
                        super::seats::do_sync_seats(work, org, parent).await?;
                    }
                }
            }
        }
        RosterRole::Teacher | RosterRole::Employee => {
            let staff_room = store::schools::staff_room(work, org).await?.class_id();
            let member_role = if role == RosterRole::Teacher { MemberRole::Teacher } else { MemberRole::Employee };
            do_place(work, org, user, member_role, staff_room, None, &today).await?;
            placed = true;
            if let Some(class) = person.class_id.map(ClassId) {
                let led = store::directory::class_teachers(work, org).await?;
                if !led.iter().any(|(c, _)| *c == class) {
                    store::directory::insert_class_teacher(work, org, class, user, row.created_by.map(UserId)).await?;
                }
            }
        }
        RosterRole::Parent => {
            for child in store::roster::relatives(work, person.id, false).await? {
                let Some(child) = child.user_id.map(UserId) else { continue };
                let places = store::directory::active_places(work, org, child).await?;
                if let Some(class) = places.iter().find(|p| p.role() == MemberRole::Student).map(PlaceRow::class_id) {
                    do_parent_place(work, org, user, child, class, &today).await?;
                    placed = true;
                }
            }
        }
    }
    store::audit::record(
        work,
        Entry {
            org: Some(org),
            actor: Some(user),
            action: "member_joined",
            target_type: "user",
            target_id: Some(user.0),
            details: json!({ "invite_id": row.id, "roster_person_id": person.id, "role": role.as_str() }),
        },
    )
    .await?;
    super::seats::do_sync_seats(work, org, user).await?;
    // A parent whose children have not joined yet is in once the first of them is.
    let status = if placed { "joined" } else { "waiting_for_child" };
    Ok(JoinOutcome { status: status.into(), org_id: org, join_request_id: None })
}

async fn do_place(
    work: &mut Work,
    org: OrgId,
    user: UserId,
    role: MemberRole,
    class: ClassId,
    child: Option<UserId>,
    today: &str,
) -> Result<()> {
    let places = store::directory::active_places(work, org, user).await?;
    if places.iter().any(|p| p.role() == role && p.class_id() == class && p.child_user_id == child.map(|c| c.0)) {
        return Ok(());
    }
    store::directory::insert_membership(
        work,
        &NewMembership { org, user, role, class, child, started_on: today.to_owned(), created_by: None },
    )
    .await?;
    crate::webhooks::events::do_member_joined(work, org, user, role, class, child).await
}

/// A parent's place beside their child, with their consent for the child: given when
/// they joined by the register's link, which names the children the register lists.
async fn do_parent_place(
    work: &mut Work,
    org: OrgId,
    parent: UserId,
    child: UserId,
    class: ClassId,
    today: &str,
) -> Result<()> {
    do_place(work, org, parent, MemberRole::Parent, class, Some(child), today).await?;
    store::consents::insert(work, parent, ConsentKind::Child, Some(child), Some(org), parta_domain::consent::VERSION)
        .await?;
    Ok(())
}

// ---------- export ----------

/// # The school's register as a OneRoster 1.2 bundle (a zip)
/// Its classes of the years not archived, everyone in them and the staff room, the
/// people the register still expects, parents with their children, and who leads
/// each class.
pub async fn export(state: &AppState, actor: &Actor, org: OrgId) -> Result<Vec<u8>> {
    let mut conn = state.db.reads().acquire().await?;
    let access = access::school(&mut conn, actor, org, Permission::ExchangeRoster).await?;
    let roster = roster_of(&mut conn, org, &access.org.name, &access.org.time_zone).await?;
    drop(conn);
    tokio::task::spawn_blocking(move || write::zip(&write::files(&roster)))
        .await
        .map_err(|e| Error::Internal(e.into()))?
        .map_err(|e| Error::Internal(e.into()))
}

async fn roster_of(conn: &mut AnyConnection, org: OrgId, name: &str, time_zone: &str) -> Result<write::Roster> {
    let school =
        store::roster::ids(conn, org, "school").await?.pop().map_or_else(|| format!("school-{}", org.0), |(_, s)| s);
    let class_sids: HashMap<i64, String> = store::roster::ids(conn, org, "class").await?.into_iter().collect();
    let mut classes = Vec::new();
    let mut class_sid: HashMap<i64, String> = HashMap::new();
    let (mut class_info, mut class_names) = (HashMap::new(), HashMap::new());
    for c in store::schools::list_classes(conn, org).await? {
        let Some(year) = c.academic_year.filter(|_| c.kind == "class") else { continue };
        if store::year_transition::year_archived(conn, org, year).await? {
            continue;
        }
        let sid = class_sids.get(&c.id).cloned().unwrap_or_else(|| format!("class-{}", c.id));
        class_sid.insert(c.id, sid.clone());
        class_info.insert(c.id, (sid.clone(), c.grade, year));
        class_names.insert(c.id, c.name.clone());
        classes.push(write::Class { sourced_id: sid, title: c.name, grade: c.grade, year });
    }
    let people = store::roster::people(conn, org).await?;
    let by_user: HashMap<i64, &PersonRow> = people.iter().filter_map(|p| p.user_id.map(|u| (u, p))).collect();
    let user_sid = |user: i64| by_user.get(&user).map_or_else(|| format!("user-{user}"), |p| p.sourced_id.clone());

    // Everyone with a place: one role each, staff first, then student, then parent.
    let rank = |role: MemberRole| match role {
        MemberRole::Teacher => 0,
        MemberRole::Employee | MemberRole::Director | MemberRole::Deputy => 1,
        MemberRole::Student => 2,
        MemberRole::Parent => 3,
    };
    let places = store::directory::school_places(conn, org, None).await?;
    let mut chosen: HashMap<i64, &PlaceRow> = HashMap::new();
    for p in &places {
        if p.role() != MemberRole::Parent && p.role() != MemberRole::Student && p.class_kind != "staff_room" {
            continue;
        }
        if matches!(p.role(), MemberRole::Student | MemberRole::Parent) && !class_sid.contains_key(&p.class_id) {
            continue;
        }
        let better = chosen.get(&p.user_id).is_none_or(|c| rank(p.role()) < rank(c.role()));
        if better {
            chosen.insert(p.user_id, p);
        }
    }
    let mut agents: HashMap<String, Vec<String>> = HashMap::new();
    let mut enrollments = Vec::new();
    for p in &places {
        if p.role() == MemberRole::Parent
            && let Some(child) = p.child_user_id
            && chosen.get(&p.user_id).is_some_and(|c| c.role() == MemberRole::Parent)
            && chosen.get(&child).is_some_and(|c| c.role() == MemberRole::Student)
        {
            agents.entry(user_sid(p.user_id)).or_default().push(user_sid(child));
            agents.entry(user_sid(child)).or_default().push(user_sid(p.user_id));
        }
    }
    let mut contacts: HashMap<i64, (Option<String>, Option<String>)> =
        store::roster::member_contacts(conn, org).await?.into_iter().map(|(u, e, p)| (u, (e, p))).collect();
    let mut users = Vec::new();
    let mut user_ids: Vec<&i64> = chosen.keys().collect();
    user_ids.sort_unstable();
    for user in user_ids {
        let place = chosen[user];
        let (email, phone) = contacts.remove(user).unwrap_or_default();
        let role = match place.role() {
            MemberRole::Student => RosterRole::Student,
            MemberRole::Parent => RosterRole::Parent,
            MemberRole::Teacher => RosterRole::Teacher,
            _ => RosterRole::Employee,
        };
        let sid = user_sid(*user);
        let grade =
            (role == RosterRole::Student).then(|| classes_grade(&classes, &class_sid, place.class_id)).flatten();
        if role == RosterRole::Student {
            enrollments.push(write::Enrollment {
                class: class_sid[&place.class_id].clone(),
                user: sid.clone(),
                role,
                primary: false,
            });
        }
        users.push(write::User {
            agents: agents.remove(&sid).unwrap_or_default(),
            sourced_id: sid,
            role,
            family_name: place.family_name.clone(),
            given_name: place.given_name.clone(),
            patronymic: place.patronymic.clone(),
            email,
            phone,
            grade,
        });
    }
    for (class, teacher) in store::directory::class_teachers(conn, org).await? {
        if let Some(sid) = class_sid.get(&class.0)
            && chosen.get(&teacher.id.0).is_some_and(|p| matches!(rank(p.role()), 0 | 1))
        {
            enrollments.push(write::Enrollment {
                class: sid.clone(),
                user: user_sid(teacher.id.0),
                role: if chosen[&teacher.id.0].role() == MemberRole::Teacher {
                    RosterRole::Teacher
                } else {
                    RosterRole::Employee
                },
                primary: true,
            });
        }
    }

    // The people the register still expects.
    let waiting: HashMap<i64, &PersonRow> = people.iter().filter(|p| p.user_id.is_none()).map(|p| (p.id, p)).collect();
    let by_id: HashMap<i64, &PersonRow> = people.iter().map(|p| (p.id, p)).collect();
    for (parent, child) in store::roster::guardians(conn, org).await? {
        let (Some(p), Some(c)) = (by_id.get(&parent), by_id.get(&child)) else { continue };
        // A pair of two who joined is written from their places above.
        if p.user_id.is_some() && c.user_id.is_some() {
            continue;
        }
        let (p_sid, c_sid) = (
            p.user_id.map_or_else(|| p.sourced_id.clone(), &user_sid),
            c.user_id.map_or_else(|| c.sourced_id.clone(), &user_sid),
        );
        for (of, to) in [(&p_sid, &c_sid), (&c_sid, &p_sid)] {
            if let Some(u) = users.iter_mut().find(|u| &u.sourced_id == of) {
                u.agents.push(to.clone());
            } else {
                agents.entry(of.clone()).or_default().push(to.clone());
            }
        }
    }
    let mut waiting: Vec<&PersonRow> = waiting.into_values().collect();
    waiting.sort_by_key(|p| p.id);
    for p in waiting {
        let Some(role) = RosterRole::from_stored(&p.role) else { continue };
        let class = p.class_id.and_then(|c| class_sid.get(&c).cloned());
        if role == RosterRole::Student && class.is_none() {
            continue;
        }
        if let Some(class) = &class {
            enrollments.push(write::Enrollment {
                class: class.clone(),
                user: p.sourced_id.clone(),
                role,
                primary: role != RosterRole::Student,
            });
        }
        let grade = (role == RosterRole::Student)
            .then(|| p.class_id.and_then(|c| classes_grade(&classes, &class_sid, c)))
            .flatten();
        users.push(write::User {
            sourced_id: p.sourced_id.clone(),
            role,
            family_name: p.family_name.clone(),
            given_name: p.given_name.clone(),
            patronymic: p.patronymic.clone(),
            email: p.email.clone(),
            phone: p.phone.clone(),
            agents: agents.remove(&p.sourced_id).unwrap_or_default(),
            grade,
        });
    }
    for u in &mut users {
        u.agents.sort();
        u.agents.dedup();
    }
    let students: HashMap<i64, String> = chosen
        .iter()
        .filter(|(_, p)| p.role() == MemberRole::Student)
        .map(|(user, _)| (*user, user_sid(*user)))
        .collect();
    let register =
        super::roster_gradebook::Register { classes: &class_info, class_names: &class_names, people: &students };
    let gradebook = super::roster_gradebook::gradebook(conn, org, time_zone, &register).await?;
    Ok(write::Roster {
        school: write::School { sourced_id: school, name: name.to_owned() },
        classes,
        users,
        enrollments,
        gradebook,
    })
}

fn classes_grade(classes: &[write::Class], class_sid: &HashMap<i64, String>, class: i64) -> Option<i64> {
    let sid = class_sid.get(&class)?;
    classes.iter().find(|c| &c.sourced_id == sid)?.grade
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_link_whatever_their_case_and_letter_yo() {
        assert_eq!(name_key("Семёнов", "Пётр", Some("Ильич")), name_key("СЕМЕНОВ", " Петр ", Some("ильич")));
        assert_ne!(name_key("Семёнов", "Пётр", None), name_key("Семёнов", "Пётр", Some("Ильич")));
    }
}

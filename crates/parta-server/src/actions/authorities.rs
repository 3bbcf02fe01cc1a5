//! Education authorities («управление образования») above schools: the operator
//! creates one, attaches schools and adds its curators («муниципальный куратор»), who
//! see the statistics of those schools side by side and nothing else. And the
//! platform's statistics, in aggregate, for the operator.

use futures_util::{StreamExt, TryStreamExt};
use parta_domain::permission::Permission;
use parta_domain::statistics::{PeriodKind, Periods, week_number};
use parta_domain::validate::{self, LoginId, PersonName};
use parta_domain::{AuthorityId, OrgId, UserId};
use parta_protocol::{
    Authority, AuthorityRequest, AuthoritySchool, AuthorityStatistics, CuratorAdded, CuratorRequest,
    PlatformStatistics, SchoolSummary,
};
use serde_json::json;
use sqlx::AnyConnection;

use super::statistics::{day_range, group_activity, period_kind, stats_period, summary};
use super::{Fields, checked};
use crate::access;
use crate::auth::Actor;
use crate::clock::{HOUR_MS, now_ms, rfc3339};
use crate::error::{Error, Result};
use crate::secrets;
use crate::state::AppState;
use crate::store;
use crate::store::audit::Entry;
use crate::store::schools::OrgRow;

fn platform_entry(actor: &Actor, action: &'static str, target: i64, details: serde_json::Value) -> Entry<'static> {
    Entry { org: None, actor: Some(actor.user_id), action, target_type: "authority", target_id: Some(target), details }
}

async fn render(conn: &mut AnyConnection, id: AuthorityId) -> Result<Authority> {
    let row = store::authorities::get(conn, id).await?.ok_or(Error::NotFound)?;
    Ok(Authority {
        id,
        name: row.name,
        region: row.region,
        schools: store::authorities::schools(conn, id)
            .await?
            .into_iter()
            .map(|(org, short_name)| AuthoritySchool { org_id: OrgId(org), short_name })
            .collect(),
        curators: store::authorities::curators(conn, id).await?,
    })
}

/// # Create an education authority (the operator)
pub async fn create(state: &AppState, actor: &Actor, request: &AuthorityRequest) -> Result<Authority> {
    access::platform(actor, Permission::ManageAuthorities)?;
    let mut fields = Fields::default();
    let name = fields.check(validate::text("name", &request.name, 200));
    let region = fields.check(validate::text("region", &request.region, 200));
    fields.finish()?;
    let (name, region) = (checked(name)?, checked(region)?);
    let mut tx = state.begin().await?;
    let id = store::authorities::insert(&mut tx, &name, &region, actor.user_id)
        .await
        .map_err(|e| if store::is_unique_violation(&e) { Error::Conflict("authority_exists") } else { e.into() })?;
    store::audit::record(&mut tx, platform_entry(actor, "authority_created", id.0, json!({ "name": name }))).await?;
    let rendered = render(&mut tx, id).await?;
    tx.commit(state).await?;
    Ok(rendered)
}

/// # The authorities: every one for the operator, one's own for a curator
pub async fn list(state: &AppState, actor: &Actor) -> Result<Vec<Authority>> {
    let mut conn = state.db.reads().acquire().await?;
    let rows = if access::platform(actor, Permission::ManageAuthorities).is_ok() {
        store::authorities::list(&mut conn).await?
    } else {
        store::authorities::curated_by(&mut conn, actor.user_id).await?
    };
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push(render(&mut conn, AuthorityId(row.id)).await?);
    }
    Ok(out)
}

/// # Attach a school to an authority, or move it from another (the operator)
pub async fn attach(state: &AppState, actor: &Actor, id: AuthorityId, org: OrgId) -> Result<Authority> {
    access::platform(actor, Permission::ManageAuthorities)?;
    let mut tx = state.begin().await?;
    store::authorities::get(&mut tx, id).await?.ok_or(Error::NotFound)?;
    if !store::authorities::attach(&mut tx, org, Some(id)).await? {
        return Err(Error::field("org_id", "unknown_school"));
    }
    store::audit::record(&mut tx, platform_entry(actor, "school_attached", id.0, json!({ "org_id": org }))).await?;
    let rendered = render(&mut tx, id).await?;
    tx.commit(state).await?;
    Ok(rendered)
}

/// # Detach a school from its authority (the operator)
pub async fn detach(state: &AppState, actor: &Actor, id: AuthorityId, org: OrgId) -> Result<Authority> {
    access::platform(actor, Permission::ManageAuthorities)?;
    let mut tx = state.begin().await?;
    store::authorities::get(&mut tx, id).await?.ok_or(Error::NotFound)?;
    if !store::authorities::schools(&mut tx, id).await?.iter().any(|(o, _)| *o == org.0) {
        return Err(Error::NotFound);
    }
    store::authorities::attach(&mut tx, org, None).await?;
    store::audit::record(&mut tx, platform_entry(actor, "school_detached", id.0, json!({ "org_id": org }))).await?;
    let rendered = render(&mut tx, id).await?;
    tx.commit(state).await?;
    Ok(rendered)
}

/// # Add a curator to an authority (the operator)
/// An account with the e-mail is found, or made with a one-time code to set its
/// password, which the operator hands on.
pub async fn add_curator(
    state: &AppState,
    actor: &Actor,
    id: AuthorityId,
    request: &CuratorRequest,
) -> Result<CuratorAdded> {
    access::platform(actor, Permission::ManageAuthorities)?;
    let mut fields = Fields::default();
    let email = fields.check(validate::email("email", &request.email));
    let name = fields.check_all(validate::person_name_all(
        &request.family_name,
        &request.given_name,
        request.patronymic.as_deref(),
    ));
    fields.finish()?;
    let (email, name): (String, PersonName) = (checked(email)?, checked(name)?);
    let mut tx = state.begin().await?;
    store::authorities::get(&mut tx, id).await?.ok_or(Error::NotFound)?;
    let (user, code) = match store::users::find_by_login(&mut tx, &LoginId::Email(email.clone())).await? {
        Some(existing) => (existing.user_id(), None),
        None => {
            let user = store::users::insert(&mut tx, &name, Some(&email), None, None, false).await?;
            let code = secrets::new_token();
            let expires_at = now_ms() + 72 * HOUR_MS;
            store::users::insert_password_token(&mut tx, user, &secrets::token_hash(&code), expires_at).await?;
            (user, Some((code, expires_at)))
        }
    };
    if store::authorities::curates(&mut tx, user, id).await? {
        return Err(Error::Conflict("already_curator"));
    }
    store::authorities::insert_curator(&mut tx, id, user, Some(actor.user_id.0)).await?;
    store::audit::record(&mut tx, platform_entry(actor, "curator_added", id.0, json!({ "user_id": user }))).await?;
    let curator = store::users::person(&mut tx, user).await?.ok_or(Error::NotFound)?;
    tx.commit(state).await?;
    Ok(CuratorAdded {
        curator,
        code_expires_at: code.as_ref().map(|(_, at)| rfc3339(*at)),
        code: code.map(|(code, _)| code),
    })
}

/// # Remove a curator from an authority (the operator)
pub async fn remove_curator(state: &AppState, actor: &Actor, id: AuthorityId, user: UserId) -> Result<Authority> {
    access::platform(actor, Permission::ManageAuthorities)?;
    let mut tx = state.begin().await?;
    if !store::authorities::remove_curator(&mut tx, id, user).await? {
        return Err(Error::NotFound);
    }
    store::audit::record(&mut tx, platform_entry(actor, "curator_removed", id.0, json!({ "user_id": user }))).await?;
    let rendered = render(&mut tx, id).await?;
    tx.commit(state).await?;
    Ok(rendered)
}

/// Schools of an authority measured at once (connections taken from the read pool).
const SCHOOLS_AT_ONCE: usize = 4;

/// # An authority's schools side by side over a period (its curators, the operator)
/// The same measures as each school's dashboard, counts only: no class, no name.
pub async fn statistics(
    state: &AppState,
    actor: &Actor,
    id: AuthorityId,
    period: Option<&str>,
) -> Result<AuthorityStatistics> {
    let kind = period_kind(period)?;
    let mut conn = state.db.reads().acquire().await?;
    // Who manages authorities (the operator) sees each one's comparison as its curators do.
    if access::platform(actor, Permission::ManageAuthorities).is_err() {
        access::authority(&mut conn, actor, id, Permission::ReadStatistics).await?;
    }
    let authority = render(&mut conn, id).await?;
    let mut orgs = Vec::with_capacity(authority.schools.len());
    for school in &authority.schools {
        orgs.push(store::schools::get(&mut conn, school.org_id).await?.ok_or(Error::NotFound)?);
    }
    // Every school is measured over the same days: the authority's calendar, not each
    // school's own terms (a term is the calendar's quarter here), up to the today of
    // the school whose day is furthest on, so that no school's today is left out.
    let today = orgs.iter().map(|org| crate::clock::today_date_in(&org.time_zone)).max();
    let periods = common_periods(kind, today);
    drop(conn);
    // Schools are measured side by side, each on a connection of its own: a region's
    // hundred schools take what the slowest few do, not the sum of all.
    let periods = &periods;
    let line = move |org: OrgRow| async move {
        let mut conn = state.db.reads().acquire().await?;
        let (reach, current, previous) = summary(&mut conn, &org, periods, false).await?;
        Ok::<_, Error>(SchoolSummary { org_id: OrgId(org.id), school: org.short_name, reach, current, previous })
    };
    let schools: Vec<SchoolSummary> =
        futures_util::stream::iter(orgs).map(line).buffered(SCHOOLS_AT_ONCE).try_collect().await?;
    Ok(AuthorityStatistics { authority, period: stats_period(kind, periods), schools })
}

/// # The authority's comparison as a file, XLSX or CSV: a row per school, a column per
/// measure, the period so far and the same days before
pub async fn statistics_file(
    state: &AppState,
    actor: &Actor,
    id: AuthorityId,
    period: Option<&str>,
    format: &str,
) -> Result<super::journal_export::Export> {
    use super::journal_export::{FileFormat, Table, render};
    let format = FileFormat::parse(format)?;
    let s = statistics(state, actor, id, period).await?;
    let table =
        |sheet: &str, span: &parta_protocol::DateSpan, pick: fn(&SchoolSummary) -> &parta_protocol::PeriodFigures| {
            let mut header = vec!["Школа".to_owned()];
            header.extend(
                s.schools
                    .first()
                    .map(|f| super::statistics::measures(pick(f)))
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(name, _)| name.to_owned()),
            );
            Table {
                sheet: sheet.to_owned(),
                title: format!("{}: школы рядом, {} — {}", s.authority.name, span.first, span.last),
                header,
                rows: s
                    .schools
                    .iter()
                    .map(|school| {
                        let mut row = vec![school.school.clone()];
                        row.extend(super::statistics::measures(pick(school)).into_iter().map(|(_, value)| value));
                        row
                    })
                    .collect(),
            }
        };
    let tables =
        [table("Период", &s.period.so_far, |x| &x.current), table("Период до", &s.period.previous, |x| &x.previous)];
    render(&tables, format, &format!("authority-{}-{}-{}", id.0, s.period.kind, s.period.so_far.last))
}

/// Periods by the calendar alone (one set of days for many schools), up to `today`,
/// or Moscow's today.
fn common_periods(kind: PeriodKind, today: Option<jiff::civil::Date>) -> Periods {
    let today = today.unwrap_or_else(|| crate::clock::today_date_in("Europe/Moscow"));
    parta_domain::statistics::periods(kind, today, &Default::default())
}

/// # The platform in aggregate (the operator): schools, people by group, activity
pub async fn platform_statistics(state: &AppState, actor: &Actor, period: Option<&str>) -> Result<PlatformStatistics> {
    access::platform(actor, Permission::ReadPlatformStatistics)?;
    let kind = period_kind(period)?;
    let periods = common_periods(kind, None);
    let mut conn = state.db.reads().acquire().await?;
    let totals = store::statistics::platform_totals(&mut conn).await?;
    let people = (totals.students, totals.parents, totals.staff);
    let mut activity = Vec::new();
    for span in [periods.so_far, periods.previous] {
        let (first, last) = day_range(span);
        let days = store::statistics::platform_active(&mut conn, "day", first, last).await?;
        let (first_week, last_week) = (week_number(first), week_number(last));
        let weeks = store::statistics::platform_active(&mut conn, "week", first_week, last_week).await?;
        activity.push(group_activity(&days, &weeks, span, people));
    }
    let previous_activity = activity.pop().unwrap_or_default();
    let activity = activity.pop().unwrap_or_default();
    Ok(PlatformStatistics {
        period: stats_period(kind, &periods),
        schools: totals.schools,
        authorities: totals.authorities,
        schools_in_authorities: totals.schools_in_authorities,
        students: totals.students,
        parents: totals.parents,
        staff: totals.staff,
        curators: totals.curators,
        activity,
        previous_activity,
    })
}

//! The public status page and its Statuspage-compatible JSON, rendered once
//! per change (not per request) into a snapshot of bytes: identity, gzip and
//! brotli, each with an ETag. Requests only pick the right variant. Open
//! pages hear of a new snapshot by server-sent events.
use crate::http::cache::{Snapshot, Variant, etag_of};
use crate::http::error::{AppResult, Error};
use crate::http::page::{Page, render};
use crate::http::state::AppState;
use crate::i18n::{Tr, format_time, rfc3339};
use app::model::{Component, Incident, IncidentUpdate};
use app::status::{StatusData, UPTIME_DAYS};
use askama::Template;
use domain::Language;
use domain::status::{self, ComponentStatus, Impact};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::Ordering;

/// Rebuilds the snapshot from the database and announces it, unless every
/// document came out byte for byte the same as before: then the current
/// snapshot (and its `ETag`s) stays, and open pages are not told to reload.
pub async fn rebuild(state: &AppState) -> AppResult<()> {
    // One body for everybody: its times are in UTC, whoever's request made
    // it.
    app::i18n::in_zone(None, rebuild_in_utc(state)).await
}

async fn rebuild_in_utc(state: &AppState) -> AppResult<()> {
    let _one_at_a_time = state.status.building.lock().await;
    let base = state.app.status_data().await?;
    let brand = state.app.branding_fresh().await?;
    let primary = state.app.content_language();
    // Every document in every language: the texts staff wrote in it, the
    // primary ones where they did not.
    let per_lang: Vec<(Language, Data)> = Language::ALL
        .iter()
        .map(|l| {
            let data = Data {
                d: base.in_language(*l, primary),
                base_url: state.app.config.base_url.clone(),
                primary,
                brand: brand.clone(),
            };
            (*l, data)
        })
        .collect();
    let overall = per_lang
        .first()
        .map_or("operational", |(_, d)| d.overall().key);
    let previous = state.status.current.read().ok().map(|c| c.clone());
    let current_version = previous.as_ref().map_or(0, |p| p.version);
    let mut docs: Vec<(String, Vec<u8>, &'static str)> = Vec::new();
    for (lang, data) in &per_lang {
        for (key, value) in data.json_documents() {
            let body = serde_json::to_vec(&value).map_err(Error::internal)?;
            docs.push((doc_key(key, *lang), body, "application/json"));
        }
        let (rss, atom) = data.feeds(Tr(*lang));
        docs.push((
            doc_key("history.rss", *lang),
            rss.into_bytes(),
            "application/rss+xml; charset=utf-8",
        ));
        docs.push((
            doc_key("history.atom", *lang),
            atom.into_bytes(),
            "application/atom+xml; charset=utf-8",
        ));
    }
    let first_page = docs.len();
    let pages = |docs: &mut Vec<(String, Vec<u8>, &'static str)>, version: u64| {
        docs.truncate(first_page);
        for (lang, data) in &per_lang {
            let html = data.render_page(*lang, version)?;
            docs.push((
                format!("page.{}", lang.as_str()),
                html.into_bytes(),
                "text/html; charset=utf-8",
            ));
        }
        AppResult::Ok(())
    };
    // The pages carry their version, so compare them as rendered under the
    // current one; only a real change gets a new version.
    pages(&mut docs, current_version)?;
    let unchanged = previous.as_ref().is_some_and(|p| {
        current_version > 0
            && p.docs.len() == docs.len()
            && docs.iter().all(|(k, body, _)| {
                p.docs
                    .get(k)
                    .is_some_and(|old| old.etag.as_bytes() == etag_of(body).as_bytes())
            })
    });
    if unchanged {
        return Ok(());
    }
    let version = state.status.version.fetch_add(1, Ordering::SeqCst) + 1;
    pages(&mut docs, version)?;
    let docs = docs
        .into_iter()
        .map(|(k, body, content_type)| (k, Arc::new(Variant::new(body, content_type))))
        .collect();
    if let Ok(mut current) = state.status.current.write() {
        *current = Arc::new(Snapshot {
            version,
            docs,
            overall,
        });
    }
    let _ = state.status.events.send(version);
    Ok(())
}

/// The snapshot's name for a document (`summary.json`, `history.rss`) in
/// one language.
pub fn doc_key(name: &str, lang: Language) -> String {
    format!("{name}@{}", lang.as_str())
}

/// Everything the page and the documents are made from, in one language.
struct Data {
    d: StatusData,
    base_url: String,
    /// The language staff write in: a text in it is not marked as a
    /// fallback.
    primary: Language,
    brand: Arc<app::branding::Branding>,
}

impl std::ops::Deref for Data {
    type Target = StatusData;
    fn deref(&self) -> &StatusData {
        &self.d
    }
}

impl Data {
    fn overall(&self) -> status::Overall {
        let statuses: Vec<ComponentStatus> =
            self.components.iter().map(Component::status).collect();
        let impacts: Vec<Impact> = self
            .open
            .iter()
            .filter(|i| i.kind == "incident")
            .filter_map(|i| Impact::parse(&i.impact).ok())
            .collect();
        status::overall(&statuses, &impacts)
    }

    fn updated_at(&self) -> i64 {
        let c = self.components.iter().map(|c| c.updated_at);
        let i = self
            .incidents
            .iter()
            .chain(&self.maintenances)
            .map(|i| i.updated_at);
        c.chain(i).max().unwrap_or(0)
    }

    fn page_json(&self) -> Value {
        json!({
            "id": self.page_id,
            "name": self.brand.name_in(Language::En),
            "url": format!("{}/status", self.base_url),
            "time_zone": "Etc/UTC",
            "updated_at": rfc3339(self.updated_at()),
        })
    }

    fn group_id(name: &str) -> String {
        use sha2::Digest;
        hex::encode(&sha2::Sha256::digest(name.as_bytes())[..6])
    }

    fn component_json(&self, c: &Component) -> Value {
        json!({
            "id": c.id,
            "name": c.name,
            "status": c.status,
            "created_at": rfc3339(c.created_at),
            "updated_at": rfc3339(c.updated_at),
            "position": c.position,
            "description": if c.description.is_empty() { Value::Null } else { json!(c.description) },
            "showcase": true,
            "start_date": rfc3339(c.created_at).get(..10).unwrap_or(""),
            "group_id": c.group_name.as_deref().map(Self::group_id),
            "page_id": self.page_id,
            "group": false,
            "only_show_if_degraded": false,
        })
    }

    /// Components and their groups, as Statuspage lists them: a group is a
    /// component with `"group": true` and the ids of its members.
    fn components_json(&self) -> Vec<Value> {
        let mut out = Vec::new();
        let mut groups: Vec<(&str, Vec<&Component>)> = Vec::new();
        for c in &self.components {
            if let Some(g) = c.group_name.as_deref() {
                match groups.iter_mut().find(|(n, _)| *n == g) {
                    Some((_, members)) => members.push(c),
                    None => groups.push((g, vec![c])),
                }
            }
            out.push(self.component_json(c));
        }
        for (name, members) in groups {
            let worst = members
                .iter()
                .map(|c| c.status())
                .max_by_key(|s| s.severity())
                .unwrap_or(ComponentStatus::Operational);
            out.push(json!({
                "id": Self::group_id(name),
                "name": name,
                "status": worst.as_str(),
                "created_at": rfc3339(members.iter().map(|c| c.created_at).min().unwrap_or(0)),
                "updated_at": rfc3339(members.iter().map(|c| c.updated_at).max().unwrap_or(0)),
                "position": members.iter().map(|c| c.position).min().unwrap_or(0),
                "description": Value::Null,
                "showcase": false,
                "start_date": Value::Null,
                "group_id": Value::Null,
                "page_id": self.page_id,
                "group": true,
                "only_show_if_degraded": false,
                "components": members.iter().map(|c| c.id.clone()).collect::<Vec<_>>(),
            }));
        }
        out
    }

    /// An update's `affected_components`, each named in this language.
    fn affected_json(&self, stored: &str) -> Value {
        let mut v = serde_json::from_str::<Value>(stored).unwrap_or(json!([]));
        if let Some(list) = v.as_array_mut() {
            for a in list {
                let name = a["code"]
                    .as_str()
                    .and_then(|code| self.components.iter().find(|c| c.id == code))
                    .map(|c| c.name.clone());
                if let (Some(name), Some(obj)) = (name, a.as_object_mut()) {
                    obj.insert("name".into(), json!(name));
                }
            }
        }
        v
    }

    fn incident_json(&self, i: &Incident) -> Value {
        let updates: Vec<Value> = self
            .updates
            .get(&i.id)
            .map(|us| {
                us.iter()
                    .map(|u| {
                        json!({
                            "id": u.id,
                            "status": u.status,
                            "body": u.body,
                            "incident_id": i.id,
                            "created_at": rfc3339(u.created_at),
                            "updated_at": rfc3339(u.created_at),
                            "display_at": rfc3339(u.created_at),
                            "affected_components": self.affected_json(&u.affected),
                            "deliver_notifications": true,
                            "custom_tweet": Value::Null,
                            "tweet_id": Value::Null,
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        let components: Vec<Value> = self
            .affected
            .get(&i.id)
            .map(|list| {
                list.iter()
                    .filter_map(|a| self.components.iter().find(|c| c.id == a.component_id))
                    .map(|c| self.component_json(c))
                    .collect()
            })
            .unwrap_or_default();
        let mut v = json!({
            "id": i.id,
            "name": i.name,
            "status": i.status,
            "created_at": rfc3339(i.created_at),
            "updated_at": rfc3339(i.updated_at),
            "monitoring_at": i.monitoring_at.map(rfc3339),
            "resolved_at": i.resolved_at.map(rfc3339),
            "impact": i.impact,
            "shortlink": format!("{}/status/incidents/{}", self.base_url, i.id),
            "started_at": rfc3339(i.started_at),
            "page_id": self.page_id,
            "incident_updates": updates,
            "components": components,
        });
        if i.kind == "maintenance"
            && let Some(obj) = v.as_object_mut()
        {
            obj.insert("scheduled_for".into(), json!(i.scheduled_for.map(rfc3339)));
            obj.insert(
                "scheduled_until".into(),
                json!(i.scheduled_until.map(rfc3339)),
            );
        }
        v
    }

    fn json_documents(&self) -> Vec<(&'static str, Value)> {
        let page = self.page_json();
        let overall = self.overall();
        let status =
            json!({"indicator": overall.indicator.as_str(), "description": overall.description()});
        let components = self.components_json();
        let unresolved: Vec<Value> = self
            .open
            .iter()
            .filter(|i| i.kind == "incident")
            .map(|i| self.incident_json(i))
            .collect();
        let maint = |pred: &dyn Fn(&str) -> bool| -> Vec<Value> {
            self.maintenances
                .iter()
                .filter(|m| pred(&m.status))
                .map(|m| self.incident_json(m))
                .collect()
        };
        let upcoming_or_active = maint(&|s| matches!(s, "scheduled" | "in_progress" | "verifying"));
        vec![
            (
                "summary.json",
                json!({"page": page, "components": components, "incidents": unresolved,
                       "scheduled_maintenances": upcoming_or_active, "status": status}),
            ),
            ("status.json", json!({"page": page, "status": status})),
            (
                "components.json",
                json!({"page": page, "components": components}),
            ),
            (
                "incidents.json",
                json!({"page": page, "incidents": self.incidents.iter().map(|i| self.incident_json(i)).collect::<Vec<_>>()}),
            ),
            (
                "incidents/unresolved.json",
                json!({"page": page, "incidents": unresolved}),
            ),
            (
                "scheduled-maintenances.json",
                json!({"page": page, "scheduled_maintenances": maint(&|_| true)}),
            ),
            (
                "scheduled-maintenances/upcoming.json",
                json!({"page": page, "scheduled_maintenances": maint(&|s| s == "scheduled")}),
            ),
            (
                "scheduled-maintenances/active.json",
                json!({"page": page, "scheduled_maintenances": maint(&|s| matches!(s, "in_progress" | "verifying"))}),
            ),
        ]
    }

    fn feeds(&self, tr: Tr) -> (String, String) {
        let updates = |id: &str| -> Vec<&IncidentUpdate> {
            self.updates
                .get(id)
                .map(|u| u.iter().collect())
                .unwrap_or_default()
        };
        let brand = self.brand.name_in(tr.0);
        let input = crate::public::feeds::FeedInput {
            tr,
            brand: &brand,
            base_url: &self.base_url,
            updated_at: self.updated_at(),
            incidents: &self.incidents,
            updates: &updates,
        };
        (
            crate::public::feeds::rss(&input),
            crate::public::feeds::atom(&input),
        )
    }

    fn render_page(&self, lang: Language, version: u64) -> AppResult<String> {
        let tr = Tr(lang);
        let overall = self.overall();
        let mut groups: Vec<GroupView> = Vec::new();
        for c in &self.components {
            let history = self.history.get(&c.id).cloned().unwrap_or_default();
            let days = status::uptime_days(&history, self.now, UPTIME_DAYS);
            let total = status::uptime_total(&history, self.now, UPTIME_DAYS);
            let bars = bar_runs(tr, lang, &days);
            let view = ComponentView {
                name: c.name.clone(),
                description: c.description.clone(),
                status_code: c.status.clone(),
                status: tr.t(&format!("component-{}", c.status)),
                uptime: total
                    .map(|u| crate::i18n::format_percent(u, lang))
                    .unwrap_or_default(),
                bars,
            };
            let group = c.group_name.clone().unwrap_or_default();
            match groups.iter_mut().find(|g| g.name == group) {
                Some(g) => g.components.push(view),
                None => groups.push(GroupView {
                    name: group,
                    components: vec![view],
                }),
            }
        }
        let active = self
            .open
            .iter()
            .filter(|i| i.kind == "incident")
            .map(|i| self.incident_view(tr, lang, i))
            .collect();
        let maintenance = self
            .maintenances
            .iter()
            .filter(|m| matches!(m.status.as_str(), "scheduled" | "in_progress" | "verifying"))
            .map(|m| self.incident_view(tr, lang, m))
            .collect();
        // History: this month and the two before, newest first.
        let mut months = Vec::new();
        let (mut y, mut m) = year_month(self.now);
        for _ in 0..3 {
            let list: Vec<HistoryItem> = self
                .incidents
                .iter()
                .filter(|i| year_month(i.created_at) == (y, m))
                .map(|i| HistoryItem {
                    id: i.id.clone(),
                    name: i.name.clone(),
                    impact: i.impact.clone(),
                    when: format_time(i.created_at, lang),
                    status: tr.t(&format!("incident-{}", i.status)),
                    lasted: lasted(i, lang),
                })
                .collect();
            months.push(MonthView {
                label: format!("{} {y}", tr.t(&format!("month-{m}"))),
                incidents: list,
            });
            if m == 1 {
                m = 12;
                y -= 1;
            } else {
                m -= 1;
            }
        }
        let mut page = Page::public(tr, "status-title");
        page.brand = self.brand.clone();
        page.here = "/status".into();
        page.overall = self.overall().key;
        let html = render(&StatusPageView {
            page,
            version,
            overall_code: overall.indicator.as_str(),
            overall: tr.t(&format!("overall-{}", overall.key)),
            updated: format_time(self.updated_at(), lang),
            groups,
            active,
            maintenance,
            months,
            script: crate::http::assets::status_js_path(),
            vapid_key: self.vapid_key.clone(),
        })?;
        Ok(html.0)
    }

    fn incident_view(&self, tr: Tr, lang: Language, i: &Incident) -> IncidentView {
        let prefix = if i.kind == "maintenance" {
            "maintenance"
        } else {
            "incident"
        };
        let fell_back = self.fell_back.contains(&i.id)
            || self
                .updates
                .get(&i.id)
                .is_some_and(|us| us.iter().any(|u| self.fell_back.contains(&u.id)));
        IncidentView {
            note: fell_back.then(|| only_in(tr, self.primary)),
            id: i.id.clone(),
            name: i.name.clone(),
            impact: i.impact.clone(),
            status: tr.t(&format!("{prefix}-{}", i.status)),
            window: window(i, lang),
            components: self
                .affected
                .get(&i.id)
                .map(|l| {
                    l.iter()
                        .filter_map(|a| self.components.iter().find(|c| c.id == a.component_id))
                        .map(|c| c.name.clone())
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default(),
            updates: self
                .updates
                .get(&i.id)
                .map(|us| {
                    us.iter()
                        .map(|u| UpdateView {
                            status: tr.t(&format!("{prefix}-{}", u.status)),
                            html: app::markdown::render(&u.body),
                            at: format_time(u.created_at, lang),
                            edited: edited(u.edited_at, lang),
                        })
                        .collect()
                })
                .unwrap_or_default(),
        }
    }
}

/// The scheduled window of maintenance, for display.
pub(crate) fn window(i: &Incident, lang: Language) -> Option<String> {
    match (i.scheduled_for, i.scheduled_until) {
        (Some(a), Some(b)) => Some(format!(
            "{} – {}",
            format_time(a, lang),
            format_time(b, lang)
        )),
        _ => None,
    }
}

fn year_month(ms: i64) -> (i32, u8) {
    match time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000)) {
        Ok(t) => (t.year(), u8::from(t.month())),
        Err(_) => (1970, 1),
    }
}

/// The day's date as a tooltip shows it: "16 Sep 2026" or "16 sep. 2026".
fn tip_date(ms: i64, lang: Language) -> String {
    format_time(ms, lang)
        .split(&[',', ' '][..])
        .take(if lang == Language::Sv { 1 } else { 3 })
        .collect::<Vec<_>>()
        .join(" ")
}

/// What a day's tooltip says after its date.
fn day_summary(tr: Tr, d: &status::UptimeDay) -> String {
    match d.uptime {
        None => tr.t("uptime-no-data"),
        Some(u) => {
            let mut s = crate::i18n::format_percent(u, tr.0);
            if d.major_minutes > 0 {
                s.push_str(&format!(
                    ", {}",
                    tr.ta(
                        "uptime-major-minutes",
                        &[("n", &d.major_minutes.to_string())]
                    )
                ));
            }
            if d.partial_minutes > 0 {
                s.push_str(&format!(
                    ", {}",
                    tr.ta(
                        "uptime-partial-minutes",
                        &[("n", &d.partial_minutes.to_string())]
                    )
                ));
            }
            s
        }
    }
}

fn day_class(d: &status::UptimeDay) -> &'static str {
    match d.uptime {
        None => "none",
        Some(_) => match d.worst {
            ComponentStatus::MajorOutage => "major",
            ComponentStatus::PartialOutage => "partial",
            ComponentStatus::DegradedPerformance => "degraded",
            ComponentStatus::UnderMaintenance => "maint",
            ComponentStatus::Operational => "ok",
        },
    }
}

/// The uptime bars, one stroke per day, with neighbouring days that read
/// the same (most often "100 %") drawn as one path with one tooltip naming
/// their dates. Every day still shows its own numbers on hover, and the
/// page stays small: it is the most requested page of an outage day.
fn bar_runs(tr: Tr, lang: Language, days: &[status::UptimeDay]) -> Vec<BarRun> {
    let mut runs: Vec<(BarRun, String, i64, i64)> = Vec::new();
    for (i, d) in days.iter().enumerate() {
        let x = i64::try_from(i).unwrap_or(0) * 5;
        let class = day_class(d);
        let summary = day_summary(tr, d);
        match runs.last_mut() {
            Some((run, said, _, last)) if run.class == class && *said == summary => {
                run.path.push_str(&format!("M{x} 0v30"));
                *last = d.day_start;
            }
            _ => runs.push((
                BarRun {
                    class,
                    path: format!("M{x} 0v30"),
                    tip: String::new(),
                },
                summary,
                d.day_start,
                d.day_start,
            )),
        }
    }
    runs.into_iter()
        .map(|(mut run, summary, first, last)| {
            run.tip = if first == last {
                format!("{}: {summary}", tip_date(first, lang))
            } else {
                format!(
                    "{} – {}: {summary}",
                    tip_date(first, lang),
                    tip_date(last, lang)
                )
            };
            run
        })
        .collect()
}

struct BarRun {
    class: &'static str,
    path: String,
    tip: String,
}

struct ComponentView {
    name: String,
    description: String,
    status_code: String,
    status: String,
    uptime: String,
    bars: Vec<BarRun>,
}

struct GroupView {
    name: String,
    components: Vec<ComponentView>,
}

struct UpdateView {
    status: String,
    /// The update's Markdown, rendered and sanitised.
    html: String,
    at: String,
    /// "Edited 3 Dec 14:02", when it was corrected.
    edited: Option<String>,
}

struct IncidentView {
    id: String,
    name: String,
    impact: String,
    status: String,
    window: Option<String>,
    components: String,
    updates: Vec<UpdateView>,
    /// "Only available in English", when some text is not in the page's
    /// language.
    note: Option<String>,
}

struct HistoryItem {
    id: String,
    name: String,
    impact: String,
    when: String,
    status: String,
    /// "Lasted 2 h 15 min", once resolved.
    lasted: Option<String>,
}

/// "Only available in English": a note on a text shown in the primary
/// language because it was not written in the reader's.
pub(crate) fn only_in(tr: Tr, primary: Language) -> String {
    let language = tr.t(&format!("language-name-{}", primary.as_str()));
    tr.ta("content-only-in", &[("language", &language)])
}

/// "Edited 3 Dec 14:02", for a corrected text.
pub(crate) fn edited(at: Option<i64>, lang: Language) -> Option<String> {
    at.map(|t| Tr(lang).ta("content-edited", &[("time", &format_time(t, lang))]))
}

/// How long a resolved incident lasted, from its start to its resolution.
pub(crate) fn lasted(i: &Incident, lang: Language) -> Option<String> {
    let end = i.resolved_at.filter(|_| i.kind != "maintenance")?;
    let d = crate::i18n::format_duration(end - i.started_at, lang);
    Some(Tr(lang).ta("incident-lasted", &[("duration", &d)]))
}

struct MonthView {
    label: String,
    incidents: Vec<HistoryItem>,
}

#[derive(Template)]
#[template(path = "public/status_page.html")]
struct StatusPageView {
    page: Page,
    version: u64,
    overall_code: &'static str,
    overall: String,
    updated: String,
    groups: Vec<GroupView>,
    active: Vec<IncidentView>,
    maintenance: Vec<IncidentView>,
    months: Vec<MonthView>,
    script: &'static str,
    vapid_key: String,
}

//! The page frame every template extends: language, navigation, CSRF token.
use crate::http::ctx::Ctx;
use crate::http::error::{AppResult, Error, WebError};
use crate::i18n::Tr;
use askama::Template;
use axum::response::Html;
use domain::Role;

pub struct NavUser {
    pub name: String,
    pub is_admin: bool,
    pub is_staff: bool,
    pub is_support_admin: bool,
    /// May use direct support (admins of Advanced and Enterprise organisations).
    pub has_support: bool,
}

impl NavUser {
    /// What the navigation shows for a signed-in person.
    pub fn of(caller: &app::Caller) -> NavUser {
        let user = &caller.principal.user;
        NavUser {
            name: user.name.clone(),
            is_admin: user.role == Role::Admin,
            is_staff: user.role.is_staff(),
            is_support_admin: user.role == Role::SupportAdmin,
            has_support: caller.may(domain::Action::UseDirectSupport),
        }
    }
}

pub struct Page {
    pub tr: Tr,
    pub lang: &'static str,
    pub title: String,
    pub user: Option<NavUser>,
    pub csrf: String,
    pub here: String,
    pub notice: Option<String>,
    pub css: &'static str,
    /// The status page's overall state (`all_operational`, `degraded`, …)
    /// for the footer's dot and words.
    pub overall: &'static str,
    /// A class on `<body>` for pages laid out differently (`wide-page`).
    pub body_class: &'static str,
    /// The operator's name, logo, colour and footer links.
    pub brand: std::sync::Arc<app::branding::Branding>,
}

impl Page {
    /// The frame of a page that is the same for everybody (no viewer, no
    /// forms), such as the status page snapshot.
    pub fn public(tr: Tr, title_key: &str) -> Page {
        Page {
            tr,
            lang: tr.0.as_str(),
            title: tr.t(title_key),
            user: None,
            csrf: String::new(),
            here: String::new(),
            notice: None,
            css: crate::http::assets::css_path(),
            overall: "all_operational",
            body_class: "",
            brand: Default::default(),
        }
    }

    /// The name shown in the header and titles: the operator's, else the
    /// product's.
    pub fn brand_name(&self) -> String {
        self.brand.name_in(self.tr.0)
    }

    /// Whether the accent is not the product's own (then its stylesheet is
    /// linked).
    pub fn branded_colour(&self) -> bool {
        self.brand.accent != app::branding::DEFAULT_ACCENT
    }

    pub fn t(&self, key: &str) -> String {
        self.tr.t(key)
    }

    /// The overall state in words, for the footer.
    pub fn overall_text(&self) -> String {
        self.tr.t(&format!("overall-{}", self.overall))
    }

    /// The script every page carries (see `assets/page.js`).
    pub fn page_js(&self) -> &'static str {
        crate::http::assets::page_js_path()
    }

    pub fn tn(&self, key: &str, name: &'static str, n: &i64) -> String {
        self.tr.tn(key, name, *n)
    }

    /// A message for the page's script, its arguments left as `{name}`,
    /// `{n}` and `{m}` for the script to fill in.
    pub fn t_js(&self, key: &str) -> String {
        self.tr
            .ta(key, &[("name", "{name}"), ("n", "{n}"), ("m", "{m}")])
    }

    /// A message with one named argument.
    pub fn ta(&self, key: &str, name: &'static str, value: &str) -> String {
        self.tr.ta(key, &[(name, value)])
    }

    pub fn t_name(&self, key: &str, name: &str) -> String {
        self.tr.ta(key, &[("name", name)])
    }
}

impl Ctx {
    /// The frame for a page titled by the message `title_key`.
    pub fn page(&self, title_key: &str) -> Page {
        let tr = self.tr();
        // A finished action redirects with `?done=KEY`; show its message.
        let notice = self
            .here
            .split_once('?')
            .and_then(|(_, q)| q.split('&').find_map(|p| p.strip_prefix("done=")))
            .filter(|k| k.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'))
            .and_then(|k| tr.try_t(&format!("done-{k}")));
        Page {
            tr,
            lang: self.lang.as_str(),
            title: tr.t(title_key),
            user: self.caller().map(NavUser::of),
            csrf: self.csrf.clone(),
            here: self.here.clone(),
            notice,
            css: crate::http::assets::css_path(),
            overall: self.state.status.overall(),
            body_class: "",
            brand: self.brand.clone(),
        }
    }
}

/// Renders a template to an HTML response.
pub fn render(template: &impl Template) -> AppResult<Html<String>> {
    template
        .render()
        .map(Html)
        .map_err(|e| WebError(Error::internal(anyhow::anyhow!("template: {e}"))))
}

#[derive(Template)]
#[template(path = "layout/message.html")]
pub struct MessagePage {
    pub page: Page,
    pub tone: &'static str,
    pub message: String,
    pub detail: Option<String>,
    pub link_href: String,
    pub link_text: String,
}

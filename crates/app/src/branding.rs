//! The operator's branding of every page and the status page: the name in
//! the header and titles, a logo, the accent colour (and the favicon drawn
//! in it) and links of their own in the footer. Support admins set it; it is
//! kept in the settings table as JSON and read at most every few seconds
//! per instance.
use crate::{App, Caller, Error, Result};
use domain::Action;
use domain::text;
use std::sync::{Arc, Mutex};

/// The settings key.
const KEY: &str = "branding";
/// How long an instance trusts its copy (another instance may change it).
const FRESH_MS: i64 = 5_000;
/// At most this many footer links.
pub const MAX_LINKS: usize = 6;
/// The accent of the product as shipped.
pub const DEFAULT_ACCENT: &str = "#2b59e0";

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FooterLink {
    pub label: String,
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Branding {
    /// Empty: the product's own name (in the reader's language).
    #[serde(default)]
    pub name: String,
    /// `#rrggbb`.
    #[serde(default = "default_accent")]
    pub accent: String,
    /// A logo uploaded as a help image: `/help/images/{id}`.
    #[serde(default)]
    pub logo: Option<String>,
    #[serde(default)]
    pub links: Vec<FooterLink>,
}

fn default_accent() -> String {
    DEFAULT_ACCENT.to_string()
}

impl Default for Branding {
    fn default() -> Self {
        Self {
            name: String::new(),
            accent: default_accent(),
            logo: None,
            links: Vec::new(),
        }
    }
}

impl Branding {
    /// Text on the accent colour: white, or near-black on a light accent
    /// (by the colour's relative luminance, WCAG's formula).
    pub fn accent_ink(&self) -> &'static str {
        let hex = self.accent.trim_start_matches('#');
        let channel = |i: usize| {
            let v = u8::from_str_radix(hex.get(i..i + 2).unwrap_or("00"), 16).unwrap_or(0);
            let c = f64::from(v) / 255.0;
            if c <= 0.03928 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        let l = 0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4);
        // White on it reads at 4.5:1 or better only when it is dark enough.
        if l > 0.18 { "#141a26" } else { "#ffffff" }
    }

    /// The name to show in `lang`: the operator's, or the product's own.
    pub fn name_in(&self, lang: domain::Language) -> String {
        if self.name.is_empty() {
            crate::i18n::Tr(lang).t("brand")
        } else {
            self.name.clone()
        }
    }

    /// A short fingerprint, for cache-busting the stylesheet and favicon.
    pub fn version(&self) -> String {
        use sha2::Digest;
        let json = serde_json::to_string(self).unwrap_or_default();
        hex::encode(&sha2::Sha256::digest(json.as_bytes())[..6])
    }
}

/// Branding as typed; `None` leaves a part as it is.
#[derive(Debug, Default, Clone)]
pub struct BrandingInput {
    pub name: Option<String>,
    pub accent: Option<String>,
    /// `Some("")` removes the logo.
    pub logo: Option<String>,
    pub links: Option<Vec<FooterLink>>,
}

/// The instance's copy and when it was read.
#[derive(Default)]
pub struct BrandingCache(Mutex<Option<(i64, Arc<Branding>)>>);

fn check_accent(s: &str) -> Result<String> {
    let s = s.trim();
    let hex = s.strip_prefix('#').unwrap_or(s);
    if hex.len() == 6 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(format!("#{}", hex.to_ascii_lowercase()))
    } else {
        Err(Error::invalid_with("accent", "colour", &[("value", s)]))
    }
}

fn check_link(i: usize, l: &FooterLink) -> Result<FooterLink> {
    let label = text::line("label", &l.label, 40).map_err(|e| Error::from(e).in_field("links"))?;
    let url = l.url.trim();
    let ok =
        (url.starts_with("https://") || url.starts_with("http://") || url.starts_with("mailto:"))
            && url.len() <= 300
            && !url.chars().any(|c| c.is_whitespace() || c.is_control());
    if !ok {
        return Err(Error::invalid_with(
            "links",
            "link_url",
            &[("value", url), ("n", &(i + 1).to_string())],
        ));
    }
    Ok(FooterLink {
        label,
        url: url.to_string(),
    })
}

impl App {
    /// The branding, as this instance last read it (at most a few seconds
    /// old).
    pub async fn branding(&self) -> Result<Arc<Branding>> {
        let now = self.now();
        if let Some((at, b)) = self.brand.0.lock().ok().and_then(|c| c.clone())
            && now - at < FRESH_MS
            && now >= at
        {
            return Ok(b);
        }
        self.branding_fresh().await
    }

    /// The branding as stored now.
    pub async fn branding_fresh(&self) -> Result<Arc<Branding>> {
        let b: Branding = self
            .store()
            .setting(KEY)
            .await?
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or_default();
        let b = Arc::new(b);
        if let Ok(mut c) = self.brand.0.lock() {
            *c = Some((self.now(), b.clone()));
        }
        Ok(b)
    }

    /// Changes the branding (support admins). The status page is made
    /// again, on every instance.
    pub async fn set_branding(&self, caller: &Caller, input: BrandingInput) -> Result<Branding> {
        self.permit(caller, Action::ManageSupportSettings)?;
        let mut b = (*self.branding_fresh().await?).clone();
        if let Some(name) = &input.name {
            b.name = text::optional_line("name", name, 60)?.unwrap_or_default();
        }
        if let Some(accent) = &input.accent {
            b.accent = check_accent(accent)?;
        }
        if let Some(logo) = &input.logo {
            let logo = logo.trim();
            b.logo = if logo.is_empty() {
                None
            } else {
                let id = logo.strip_prefix("/help/images/").unwrap_or("");
                if id.is_empty() || self.help_image(id).await.is_err() {
                    return Err(Error::invalid_with("logo", "logo", &[("value", logo)]));
                }
                Some(format!("/help/images/{id}"))
            };
        }
        if let Some(links) = &input.links {
            if links.len() > MAX_LINKS {
                return Err(Error::invalid_with(
                    "links",
                    "too_many_links",
                    &[("max", &MAX_LINKS.to_string())],
                ));
            }
            b.links = links
                .iter()
                .enumerate()
                .map(|(i, l)| check_link(i, l))
                .collect::<Result<_>>()?;
        }
        let json = serde_json::to_string(&b).map_err(Error::internal)?;
        self.store().set_setting(KEY, &json).await?;
        if let Ok(mut c) = self.brand.0.lock() {
            *c = Some((self.now(), Arc::new(b.clone())));
        }
        self.publish(crate::changes::Topic::Status).await;
        Ok(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_on_the_accent_stays_readable() {
        let dark = Branding::default();
        assert_eq!(dark.accent_ink(), "#ffffff");
        let light = Branding {
            accent: "#ffd23f".into(),
            ..Branding::default()
        };
        assert_eq!(light.accent_ink(), "#141a26");
    }

    #[test]
    fn colours_and_links_are_checked() {
        assert_eq!(check_accent(" #A1B2C3 ").ok().as_deref(), Some("#a1b2c3"));
        assert_eq!(check_accent("0a0b0c").ok().as_deref(), Some("#0a0b0c"));
        assert!(check_accent("red").is_err());
        assert!(check_accent("#12345").is_err());
        let link = |url: &str| FooterLink {
            label: "Terms".into(),
            url: url.into(),
        };
        assert!(check_link(0, &link("https://example.com/terms")).is_ok());
        assert!(check_link(0, &link("mailto:hi@example.com")).is_ok());
        assert!(check_link(0, &link("javascript:alert(1)")).is_err());
        assert!(check_link(0, &link("https://x.test/a b")).is_err());
    }
}

//! E-mail subscriptions to the status page (double opt-in, all features or
//! chosen ones, one-click unsubscribe by RFC 8058), and the fan-out that
//! turns each posted incident update into one message per subscriber,
//! integration and browser. The notice a subscriber gets is built by one
//! function, [`subscriber_notice`], which the status desk's preview calls
//! too, so the preview is what is sent.
use crate::branding::Branding;
use crate::i18n::Tr;
use crate::integrations::{Notice, format_body};
use crate::{App, Error, Result};
use domain::{EmailAddress, Language};
use store::{NewOutboxMessage, OutboxTemplate};

/// What an incident update tells e-mail subscribers, before the
/// unsubscribe link (which differs per subscriber) is filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriberNotice {
    pub lang: Language,
    /// The operator's name and colour, for the HTML part.
    pub brand: Branding,
    pub subject: String,
    /// The message and the line that links to the incident.
    pub main: String,
    /// The same with the update's body left as [`crate::mail::MARKDOWN_SLOT`],
    /// for the HTML part, which renders it.
    pub main_slotted: String,
    /// The update's body (Markdown).
    pub body: String,
}

impl SubscriberNotice {
    /// The plain-text body with `unsubscribe` as the link at the foot.
    pub fn text(&self, unsubscribe: &str) -> String {
        format!(
            "{}\n{}",
            self.main,
            Tr(self.lang).ta("notify-unsubscribe", &[("link", unsubscribe)])
        )
    }

    /// The HTML alternative.
    pub fn html(&self, unsubscribe: &str) -> Option<String> {
        crate::mail::render_with(
            &self.brand,
            self.lang,
            &self.subject,
            &self.main_slotted,
            Some((
                Tr(self.lang).t("unsubscribe-title"),
                unsubscribe.to_string(),
            )),
            Some(&self.body),
        )
    }

    /// The message for every subscriber in this language, stored once per
    /// fan-out, with slots for each subscriber's address and for the id and
    /// signature in the unsubscribe link that `unsubscribe` makes of them.
    pub fn template(
        &self,
        id: String,
        unsubscribe: impl FnOnce(&str, &str) -> String,
    ) -> OutboxTemplate {
        OutboxTemplate::render(id, |t| {
            let unsubscribe = unsubscribe(&t.token("s"), &t.token("t"));
            notify::Email {
                to: t.token("to"),
                subject: self.subject.clone(),
                text: self.text(&unsubscribe),
                html: self.html(&unsubscribe),
                headers: vec![
                    ("List-Unsubscribe".into(), format!("<{unsubscribe}>")),
                    (
                        "List-Unsubscribe-Post".into(),
                        "List-Unsubscribe=One-Click".into(),
                    ),
                ],
            }
            .to_json()
        })
    }
}

/// The words of an incident update for e-mail subscribers in `lang`.
/// `kind` is `incident` or `maintenance`; `link` the incident's permalink.
// Each argument is one plain fact of the notice; a struct for them would
// only be filled and emptied again at the three callers.
#[allow(clippy::too_many_arguments)]
pub fn subscriber_notice(
    brand: &Branding,
    lang: Language,
    kind: &str,
    name: &str,
    status: &str,
    body: &str,
    component_names: &[String],
    link: &str,
) -> SubscriberNotice {
    let tr = Tr(lang);
    let prefix = if kind == "maintenance" {
        "maintenance"
    } else {
        "incident"
    };
    let status = tr.t(&format!("{prefix}-{status}"));
    let components = component_names.join(", ");
    let main_with = |body: &str| {
        format!(
            "{}\n\n{}",
            tr.ta(
                "notify-body",
                &[
                    ("name", name),
                    ("body", body),
                    ("components", &components),
                    ("status", &status)
                ]
            ),
            tr.ta("notify-follow", &[("link", link)]),
        )
    };
    // Markdown reads well as it is in the text part.
    let main = main_with(body);
    let main_slotted = main_with(crate::mail::MARKDOWN_SLOT);
    let subject = tr.ta(
        "notify-subject",
        &[
            ("brand", &brand.name_in(lang)),
            ("name", name),
            ("status", &status),
        ],
    );
    SubscriberNotice {
        lang,
        brand: brand.clone(),
        subject,
        main,
        main_slotted,
        body: body.to_string(),
    }
}

/// The placeholder the preview shows where each subscriber's own
/// unsubscribe link goes.
pub fn preview_unsubscribe_link(base_url: &str) -> String {
    format!("{base_url}/subscriptions/unsubscribe?s=…&t=…")
}

/// A confirmation is sent to one address at most this often.
pub const CONFIRM_RESEND_MS: i64 = 5 * 60_000;
/// And at most this many times a day.
pub const CONFIRMS_PER_DAY: i64 = 5;

/// What a subscription request did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subscribed {
    /// A confirmation e-mail is on its way (or the address had confirmed
    /// before and its choice is updated).
    Sent,
    /// A confirmation went to this address a moment ago: none is sent now.
    AlreadySent { retry_after_secs: u64 },
}

impl App {
    /// Counts a use of a public form or endpoint by a client address and
    /// refuses more than 30 an hour (kept in the database, so it holds
    /// across instances).
    pub async fn throttle_public(&self, what: &str, client: &str) -> Result<()> {
        let used = self
            .store()
            .record_failure(&format!("{what}:{client}"), self.now(), 3_600_000)
            .await?;
        if used > 30 {
            return Err(Error::TooMany {
                retry_after_secs: 3600,
            });
        }
        Ok(())
    }

    /// The secret unsubscribe links are signed with, kept in the database.
    async fn link_secret(&self) -> Result<String> {
        self.stored_secret("subscription_secret").await
    }

    /// The one-click unsubscribe link of subscriber `id`, signed `sig`.
    fn unsubscribe_link(&self, id: &str, sig: &str) -> String {
        self.link(&format!("/subscriptions/unsubscribe?s={id}&t={sig}"))
    }

    /// Stores the link signature of every subscriber who has none yet
    /// (subscribers from before signatures were stored, bulk imports), so
    /// that a fan-out can write their e-mails inside the database. Returns
    /// how many were signed.
    pub async fn sign_subscriber_links(&self) -> Result<usize> {
        let secret = self.link_secret().await?;
        let mut signed = 0;
        loop {
            let ids = self.store().subscribers_without_link_sig(1000).await?;
            if ids.is_empty() {
                return Ok(signed);
            }
            let sigs = ids
                .into_iter()
                .map(|id| sign(&secret, &id).map(|sig| (id, sig)))
                .collect::<Result<Vec<_>>>()?;
            signed += sigs.len();
            self.store().set_link_sigs(&sigs).await?;
        }
    }

    /// Records a subscription and sends the confirmation e-mail; nothing
    /// else is sent until the address confirms. One address gets at most
    /// one confirmation every few minutes and a few a day, whoever asks
    /// (else a stranger could fill a victim's inbox from many addresses):
    /// the answer says when none was sent.
    pub async fn subscribe(
        &self,
        email: &str,
        components: &[String],
        lang: Language,
        client: &str,
    ) -> Result<Subscribed> {
        let email = EmailAddress::parse(email)?;
        self.throttle_public("subscribe", client).await?;
        self.check_components("components", components).await?;
        let now = self.now();
        if let Some(at) = self
            .store()
            .pending_confirmation_sent_at(email.as_str())
            .await?
        {
            let wait = at + CONFIRM_RESEND_MS - now;
            if wait > 0 {
                return Ok(Subscribed::AlreadySent {
                    retry_after_secs: u64::try_from((wait + 999) / 1000).unwrap_or(1),
                });
            }
        }
        let key = format!(
            "confirm-to:{}",
            store::hash_secret(&email.as_str().to_lowercase())
        );
        let sent_today = self
            .store()
            .record_failure(&key, now, 24 * 3_600_000)
            .await?;
        if sent_today > CONFIRMS_PER_DAY {
            return Ok(Subscribed::AlreadySent {
                retry_after_secs: 24 * 3600,
            });
        }
        let tr = Tr(lang);
        let brand = self.branding().await?;
        let brand_name = brand.name_in(lang);
        let base = self.config.base_url.clone();
        let to = email.as_str().to_string();
        self.store()
            .subscribe(
                email.as_str(),
                components,
                lang.as_str(),
                self.now(),
                |id, raw| {
                    let link = format!("{base}/subscriptions/confirm?token={raw}");
                    crate::mail::message(
                        &brand,
                        lang,
                        &to,
                        tr.ta("sub-confirm-subject", &[("brand", &brand_name)]),
                        tr.ta(
                            "sub-confirm-body",
                            &[("brand", &brand_name), ("link", &link)],
                        ),
                        format!("subscribe:{id}:{}", store::hash_secret(raw)),
                    )
                },
            )
            .await?;
        Ok(Subscribed::Sent)
    }

    /// Confirms a subscription by its e-mailed token; `false` when the
    /// link no longer works.
    pub async fn confirm_subscription(&self, token: &str) -> Result<bool> {
        let Some(s) = self.store().confirm_subscription(token, self.now()).await? else {
            return Ok(false);
        };
        let sig = sign(&self.link_secret().await?, &s.id)?;
        self.store().set_link_sigs(&[(s.id, sig)]).await?;
        Ok(true)
    }

    /// Checks an unsubscribe link's signature: a wrong one is not found.
    pub async fn check_unsubscribe_link(&self, id: &str, signature: &str) -> Result<()> {
        use subtle::ConstantTimeEq;
        let good = sign(&self.link_secret().await?, id)?;
        if !id.is_empty() && bool::from(good.as_bytes().ct_eq(signature.as_bytes())) {
            Ok(())
        } else {
            Err(Error::NotFound)
        }
    }

    /// The one-click unsubscribe: the signed link is the authority.
    pub async fn unsubscribe(&self, id: &str, signature: &str) -> Result<()> {
        self.check_unsubscribe_link(id, signature).await?;
        self.store().unsubscribe(id, self.now()).await?;
        Ok(())
    }

    /// Expands one posted update into a message per subscriber,
    /// integration and browser that wants it. Safe to repeat after a
    /// crash: every message has an idempotency key and is queued once.
    pub(crate) async fn expand_fanout(&self, payload: &str) -> Result<usize> {
        let v: serde_json::Value = serde_json::from_str(payload).map_err(Error::internal)?;
        let (Some(incident_id), Some(update_id)) =
            (v["incident_id"].as_str(), v["update_id"].as_str())
        else {
            return Err(Error::internal(anyhow::anyhow!(
                "fan-out payload without ids"
            )));
        };
        let Some(incident) = self.store().incident(incident_id).await? else {
            return Ok(0);
        };
        let ids = vec![incident.id.clone()];
        // Newest first.
        let updates = self.store().incident_updates(&ids).await?;
        let Some(position) = updates.iter().position(|u| u.id == update_id) else {
            return Ok(0);
        };
        let update = updates[position].clone();
        let previous = updates.get(position + 1);
        let all = self.store().components().await?;
        let statuses = self.store().incident_components(&ids).await?;
        let affected: Vec<String> = statuses.iter().map(|a| a.component_id.clone()).collect();
        let names_in = |lang: Language| -> Vec<String> {
            affected
                .iter()
                .filter_map(|id| all.iter().find(|c| &c.id == id))
                .map(|c| self.localised(&c.translations, lang, "name", &c.name))
                .collect()
        };
        let link = self.link(&format!("/status/incidents/{}", incident.id));
        let now = self.now();
        let template_id = |l: Language| format!("update:{update_id}:email:{}", l.as_str());
        // Made once per language, not once per subscriber.
        let brand = self.branding().await?;
        let templates: Vec<(String, OutboxTemplate)> = Language::ALL
            .iter()
            .map(|l| {
                let notice = subscriber_notice(
                    &brand,
                    *l,
                    &incident.kind,
                    &self.localised(&incident.translations, *l, "name", &incident.name),
                    &update.status,
                    &self.localised(&update.translations, *l, "body", &update.body),
                    &names_in(*l),
                    &link,
                );
                let template = notice.template(template_id(*l), |s, t| self.unsubscribe_link(s, t));
                (l.as_str().to_string(), template)
            })
            .collect();
        let stored: Vec<OutboxTemplate> = templates.iter().map(|(_, t)| t.clone()).collect();
        self.store().put_outbox_templates(&stored, now).await?;
        let ids: Vec<(String, String)> = templates
            .iter()
            .map(|(code, t)| (code.clone(), t.id.clone()))
            .collect();
        let fallback = template_id(self.config.default_language);
        let fanout = store::MailFanout {
            components: &affected,
            key_prefix: &format!("update:{update_id}:"),
            templates: &ids,
            fallback: &fallback,
        };
        // Whoever confirmed since the signing is signed and queued on the
        // second round; a round that signs nobody is the last.
        self.sign_subscriber_links().await?;
        let mut queued = usize::try_from(self.store().queue_mail_fanout(&fanout, now).await?)
            .unwrap_or(usize::MAX);
        if self.sign_subscriber_links().await? > 0 {
            queued += usize::try_from(self.store().queue_mail_fanout(&fanout, now).await?)
                .unwrap_or(usize::MAX);
        }
        let affected_ref = &affected;
        // Integrations and browsers hear of a problem when it is posted, when
        // its status changes and when it is resolved; not of every added word.
        if previous.is_none_or(|p| p.status != update.status) {
            let prefix = if incident.kind == "maintenance" {
                "maintenance"
            } else {
                "incident"
            };
            let event = match (previous, update.status.as_str()) {
                (None, _) => "created",
                (_, "resolved" | "completed") => "resolved",
                _ => "updated",
            };
            let notice_in = |tr: Tr| Notice {
                event: format!("{prefix}.{event}"),
                incident_id: incident.id.clone(),
                kind: incident.kind.clone(),
                name: self.localised(&incident.translations, tr.0, "name", &incident.name),
                status: update.status.clone(),
                status_text: tr.t(&format!("{prefix}-{}", update.status)),
                impact: incident.impact.clone(),
                update_id: update.id.clone(),
                body: self.localised(&update.translations, tr.0, "body", &update.body),
                components: statuses
                    .iter()
                    .map(|a| {
                        let name = all
                            .iter()
                            .find(|c| c.id == a.component_id)
                            .map(|c| self.localised(&c.translations, tr.0, "name", &c.name))
                            .unwrap_or_default();
                        (a.component_id.clone(), name, a.status.clone())
                    })
                    .collect(),
                link: link.clone(),
                at: update.created_at,
            };
            let notices: Vec<(Language, Notice)> = Language::ALL
                .iter()
                .map(|l| (*l, notice_in(Tr(*l))))
                .collect();
            let notice = |lang: Language| {
                notices
                    .iter()
                    .find(|(l, _)| *l == lang)
                    .map_or(&notices[0].1, |(_, n)| n)
            };
            queued += self
                .queue_pages(
                    now,
                    move |after| async move {
                        self.store()
                            .integrations_for(affected_ref, &after, 500)
                            .await
                    },
                    |i: &store::Integration| i.id.clone(),
                    |i: &store::Integration| {
                        let lang = self.language_or_default(i.language.as_deref());
                        Ok(NewOutboxMessage::new(
                            "webhook",
                            &i.url,
                            notify::webhook::WebhookPayload {
                                integration_id: i.id.clone(),
                                body: format_body(&i.kind, notice(lang), Tr(lang)).to_string(),
                            }
                            .to_json(),
                            format!("update:{update_id}:webhook:{}", i.id),
                        ))
                    },
                )
                .await?;
            queued += self
                .queue_pages(
                    now,
                    move |after| async move {
                        self.store()
                            .push_subscriptions_for(affected_ref, &after, 1000)
                            .await
                    },
                    |s: &store::PushSubscription| s.id.clone(),
                    |s: &store::PushSubscription| {
                        let n = notice(self.language_or_default(Some(&s.language)));
                        let body: String = format!("{}: {}", n.status_text, n.body)
                            .chars()
                            .take(400)
                            .collect();
                        Ok(NewOutboxMessage::new(
                            "push",
                            &s.endpoint,
                            notify::push::PushPayload {
                                subscription_id: s.id.clone(),
                                body: serde_json::json!({
                                    "title": n.name,
                                    "body": body,
                                    "url": n.link,
                                    "tag": n.incident_id,
                                    "event": n.event,
                                })
                                .to_string(),
                            }
                            .to_json(),
                            format!("update:{update_id}:push:{}", s.id),
                        ))
                    },
                )
                .await?;
        }
        Ok(queued)
    }

    /// Pages through the rows a fan-out reaches, by id, and queues one
    /// message for each; returns how many were queued.
    async fn queue_pages<T, Fut>(
        &self,
        now: i64,
        fetch: impl Fn(String) -> Fut,
        id: impl Fn(&T) -> String,
        message: impl Fn(&T) -> Result<NewOutboxMessage>,
    ) -> Result<usize>
    where
        Fut: std::future::Future<Output = store::Result<Vec<T>>>,
    {
        let mut after = String::new();
        let mut queued = 0;
        loop {
            let rows = fetch(after.clone()).await?;
            let Some(last) = rows.last() else {
                return Ok(queued);
            };
            after = id(last);
            let messages = rows.iter().map(&message).collect::<Result<Vec<_>>>()?;
            queued += messages.len();
            self.store().enqueue(&messages, now).await?;
        }
    }
}

/// The signature in unsubscribe links: HMAC-SHA256 of the subscriber id.
fn sign(secret: &str, id: &str) -> Result<String> {
    use hmac::Mac;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes())
        .map_err(|e| Error::internal(anyhow::anyhow!("{e}")))?;
    mac.update(id.as_bytes());
    Ok(hex::encode(mac.finalize().into_bytes()))
}

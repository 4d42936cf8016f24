//! The help community: customers ask and answer each other, vote, and the
//! asker (or staff) accepts an answer, which is shown first; staff answers
//! are badged. Authors are untrusted: Markdown is sanitised, posting is
//! limited per user, readers report posts, staff can hold new users'
//! first posts for review, and staff hide, lock, move and merge threads.
//! Threads are public to read; hidden ones are for staff only (a 404 to
//! everyone else, in pages, API and search), and held posts for staff and
//! their author.
use crate::changes::Topic;
use crate::{App, Caller, Error, Result};
use domain::text::{self, limits};
use domain::{Action, Language, ReportReason, ReviewAction};
use store::{Post, Thread};

/// At most this many questions and answers per user and hour.
pub const POSTS_PER_HOUR: i64 = 20;
/// At most this many reports per user and hour.
pub const REPORTS_PER_HOUR: i64 = 20;
/// The setting: hold the posts of users without an approved post.
pub const HOLD_KEY: &str = "community_hold_first_posts";
/// Merged threads lead on to where their posts went, at most this far.
const MERGE_HOPS: usize = 8;

#[derive(Debug, Clone)]
pub struct ThreadView {
    pub thread: Thread,
    pub question: Post,
    /// The accepted answer first, then by votes, then oldest first.
    pub answers: Vec<Post>,
    /// The reader's own votes: (post id, value).
    pub my_votes: Vec<(String, i64)>,
    /// The posts the reader has reported.
    pub my_reports: Vec<String>,
    pub may_accept: bool,
    pub may_moderate: bool,
    /// An admin with direct support may turn the thread into a request.
    pub may_request: bool,
    /// A support admin may turn the accepted answer into a draft article.
    pub may_draft: bool,
}

pub(crate) const THREAD_DOC: &str = "t:";

pub(crate) fn thread_doc(t: &Thread, text: String) -> search::Doc {
    search::Doc {
        id: format!("{THREAD_DOC}{}", t.id),
        lang: if t.lang == "sv" {
            search::Lang::Sv
        } else {
            search::Lang::En
        },
        title: t.title.clone(),
        body: crate::markdown::plain(&text),
        // Bit 5: hidden or held (staff only); bit 6: has an accepted answer.
        tag: (u64::from(t.hidden != 0 || t.held != 0) << 5)
            | (u64::from(t.accepted_post.is_some()) << 6),
    }
}

/// Whether a thread with this search tag is visible to the caller.
pub(crate) fn thread_visible(caller: Option<&Caller>, tag: u64) -> bool {
    tag & (1 << 5) == 0 || caller.is_some_and(|c| c.may(Action::ModerateCommunity))
}

impl App {
    fn visible_thread(&self, caller: Option<&Caller>, t: &Thread) -> bool {
        if caller.is_some_and(|c| c.may(Action::ModerateCommunity)) {
            return true;
        }
        t.hidden == 0 && (t.held == 0 || caller.is_some_and(|c| c.user_id() == t.author_id))
    }

    /// A thread by id, following merges to where its posts are now.
    async fn live_thread(&self, id: &str) -> Result<Thread> {
        let mut thread = self.store().thread(id).await?.ok_or(Error::NotFound)?;
        for _ in 0..MERGE_HOPS {
            match thread.merged_into.clone() {
                Some(next) => thread = self.store().thread(&next).await?.ok_or(Error::NotFound)?,
                None => return Ok(thread),
            }
        }
        Err(Error::NotFound)
    }

    /// Threads the reader may see, most recently active first.
    pub async fn threads(&self, caller: Option<&Caller>) -> Result<Vec<Thread>> {
        self.authorize(caller, Action::ReadHelp)?;
        let staff = caller.is_some_and(|c| c.may(Action::ModerateCommunity));
        Ok(self.store().threads(staff, 200).await?)
    }

    /// One thread with its answers. A merged thread's id gives the thread
    /// it was merged into (the view's `thread.id` says which).
    pub async fn thread(&self, caller: Option<&Caller>, id: &str) -> Result<ThreadView> {
        self.authorize(caller, Action::ReadHelp)?;
        let thread = self.live_thread(id).await?;
        if !self.visible_thread(caller, &thread) {
            return Err(Error::NotFound);
        }
        let id = thread.id.as_str();
        let may_moderate = caller.is_some_and(|c| c.may(Action::ModerateCommunity));
        let mut posts = self.store().thread_posts(id).await?;
        if !may_moderate {
            // Held posts only to their author.
            posts.retain(|p| {
                p.hidden == 0 && (p.held == 0 || caller.is_some_and(|c| c.user_id() == p.author_id))
            });
        }
        let question_at = posts
            .iter()
            .position(|p| p.is_question != 0)
            .ok_or_else(|| Error::internal(anyhow::anyhow!("thread {id} has no question")))?;
        let question = posts.remove(question_at);
        let accepted = thread.accepted_post.clone();
        posts.sort_by(|a, b| {
            let a_acc = accepted.as_deref() == Some(a.id.as_str());
            let b_acc = accepted.as_deref() == Some(b.id.as_str());
            b_acc
                .cmp(&a_acc)
                .then(b.score.cmp(&a.score))
                .then(a.created_at.cmp(&b.created_at))
                .then(a.id.cmp(&b.id))
        });
        let (my_votes, my_reports) = match caller {
            Some(c) => (
                self.store().my_votes(id, c.user_id()).await?,
                self.store().my_reports(id, c.user_id()).await?,
            ),
            None => (Vec::new(), Vec::new()),
        };
        Ok(ThreadView {
            may_accept: caller.is_some_and(|c| {
                c.may(Action::AcceptAnswer {
                    asker: &thread.author_id,
                })
            }),
            may_moderate,
            may_request: caller.is_some_and(|c| c.may(Action::UseDirectSupport)),
            may_draft: thread.accepted_post.is_some()
                && caller.is_some_and(|c| c.may(Action::ManageHelpCenter)),
            thread,
            question,
            answers: posts,
            my_votes,
            my_reports,
        })
    }

    /// Counts a post (or a report) against the user's hourly allowance.
    async fn throttle_posts(&self, caller: &Caller, what: &str, per_hour: i64) -> Result<()> {
        if caller.may(Action::ModerateCommunity) {
            return Ok(());
        }
        let used = self
            .store()
            .record_failure(
                &format!("{what}:{}", caller.user_id()),
                self.now(),
                3_600_000,
            )
            .await?;
        if used > per_hour {
            return Err(Error::TooMany {
                retry_after_secs: 3600,
            });
        }
        Ok(())
    }

    /// Asks a question; returns the thread's id.
    pub async fn ask_community(
        &self,
        caller: &Caller,
        title: &str,
        body: &str,
        lang: Option<Language>,
    ) -> Result<String> {
        self.permit(caller, Action::PostInCommunity)?;
        let title = text::line("title", title, limits::SUBJECT)?;
        let body = text::block("body", body, limits::MESSAGE)?;
        self.throttle_posts(caller, "community", POSTS_PER_HOUR)
            .await?;
        let lang = lang
            .or(caller.language())
            .unwrap_or(self.config.default_language);
        let held = self.holds(caller).await?;
        let id = self
            .store()
            .create_thread(
                caller.user_id(),
                &title,
                &body,
                lang.as_str(),
                held,
                self.now(),
            )
            .await?;
        self.thread_written(&id).await?;
        Ok(id)
    }

    /// Answers a thread that is open; returns the answer's id and whether
    /// it is held for review.
    pub async fn answer_community(
        &self,
        caller: &Caller,
        thread_id: &str,
        body: &str,
    ) -> Result<(String, bool)> {
        self.permit(caller, Action::PostInCommunity)?;
        let thread = self.thread(Some(caller), thread_id).await?.thread;
        if thread.locked != 0 {
            return Err(Error::conflict("thread", "locked"));
        }
        let body = text::block("body", body, limits::MESSAGE)?;
        self.throttle_posts(caller, "community", POSTS_PER_HOUR)
            .await?;
        let held = self.holds(caller).await?;
        let id = self
            .store()
            .add_answer(&thread.id, caller.user_id(), &body, held, self.now())
            .await?;
        self.thread_written(&thread.id).await?;
        Ok((id, held))
    }

    /// Votes on a question or an answer: 1 up, -1 down, 0 takes it back.
    /// Nobody votes on their own post.
    pub async fn vote_community(&self, caller: &Caller, post_id: &str, value: i64) -> Result<()> {
        self.permit(caller, Action::PostInCommunity)?;
        if !(-1..=1).contains(&value) {
            return Err(Error::invalid("value", "vote"));
        }
        let post = self.visible_post(caller, post_id).await?;
        if post.author_id == caller.user_id() {
            return Err(Error::conflict("value", "own_post"));
        }
        self.store()
            .vote_post(post_id, caller.user_id(), value, self.now())
            .await?;
        Ok(())
    }

    /// Marks an answer accepted (or, with `None`, none): the asker or staff.
    pub async fn accept_community_answer(
        &self,
        caller: &Caller,
        thread_id: &str,
        post_id: Option<&str>,
    ) -> Result<()> {
        let view = self.thread(Some(caller), thread_id).await?;
        self.permit(
            caller,
            Action::AcceptAnswer {
                asker: &view.thread.author_id,
            },
        )?;
        if let Some(p) = post_id
            && !view
                .answers
                .iter()
                .any(|a| a.id == p && a.hidden == 0 && a.held == 0)
        {
            return Err(Error::invalid("answer", "unknown"));
        }
        let thread_id = view.thread.id.as_str();
        self.store()
            .accept_answer(thread_id, post_id, self.now())
            .await?;
        self.thread_written(thread_id).await?;
        Ok(())
    }

    /// Staff: hide or show, lock or unlock a thread.
    pub async fn moderate_thread(
        &self,
        caller: &Caller,
        thread_id: &str,
        hidden: Option<bool>,
        locked: Option<bool>,
    ) -> Result<()> {
        self.permit(caller, Action::ModerateCommunity)?;
        let thread = self.live_thread(thread_id).await?;
        self.store()
            .moderate_thread(&thread.id, hidden, locked)
            .await?;
        self.thread_written(&thread.id).await?;
        Ok(())
    }

    /// Staff: hide or show one answer.
    pub async fn moderate_post(&self, caller: &Caller, post_id: &str, hidden: bool) -> Result<()> {
        self.permit(caller, Action::ModerateCommunity)?;
        let post = self.store().post(post_id).await?.ok_or(Error::NotFound)?;
        if post.is_question != 0 {
            return Err(Error::invalid("post", "question"));
        }
        self.store().hide_post(post_id, hidden).await?;
        self.thread_written(&post.thread_id).await?;
        Ok(())
    }

    /// Turns a thread into a support request of the caller's organisation
    /// (an admin with direct support): the question, the accepted answer if
    /// any, and a link back. Returns the request's id.
    pub async fn thread_to_request(&self, caller: &Caller, thread_id: &str) -> Result<String> {
        self.permit(caller, Action::UseDirectSupport)?;
        let v = self.thread(Some(caller), thread_id).await?;
        let mut description = format!(
            "{}\n\n{}\n\n> {}",
            crate::i18n::Tr(caller.language().unwrap_or(self.config.default_language))
                .t("community-request-intro"),
            self.link(&format!("/community/threads/{}", v.thread.id)),
            v.question.body.replace('\n', "\n> ")
        );
        if let Some(a) = v
            .answers
            .iter()
            .find(|a| v.thread.accepted_post.as_deref() == Some(a.id.as_str()))
        {
            description.push_str("\n\n");
            description.push_str(&a.body);
        }
        let description: String = description.chars().take(limits::MESSAGE).collect();
        let subject: String = v.thread.title.chars().take(limits::SUBJECT).collect();
        self.file_request(
            caller,
            crate::requests::NewRequestInput {
                subject,
                description,
                priority: "normal".into(),
                component: None,
                follow_up_of: None,
            },
            Vec::new(),
        )
        .await
    }

    /// Turns a thread's accepted answer into a draft article (support
    /// admins): the question as its opening, the answer as its text.
    /// Returns the new article's slug.
    pub async fn answer_to_article(&self, caller: &Caller, thread_id: &str) -> Result<String> {
        self.permit(caller, Action::ManageHelpCenter)?;
        let v = self.thread(Some(caller), thread_id).await?;
        let answer = v
            .answers
            .iter()
            .find(|a| v.thread.accepted_post.as_deref() == Some(a.id.as_str()))
            .ok_or_else(|| Error::conflict("thread", "no_accepted_answer"))?;
        let base = match text::slugify(&v.thread.title) {
            s if s.is_empty() => "community-answer".to_string(),
            s => s
                .chars()
                .take(90)
                .collect::<String>()
                .trim_end_matches('-')
                .to_string(),
        };
        let body = format!("{}\n\n{}", v.question.body, answer.body);
        for n in 1..20 {
            let slug = if n == 1 {
                base.clone()
            } else {
                format!("{base}-{n}")
            };
            let made = self
                .create_article(
                    caller,
                    crate::help::ArticleInput {
                        title: Some(v.thread.title.clone()),
                        body: Some(body.clone()),
                        collection: Some("help".into()),
                        lang: Some(v.thread.lang.clone()),
                        slug: Some(slug),
                        published: Some(false),
                        ..crate::help::ArticleInput::default()
                    },
                )
                .await;
            match made {
                Ok(a) => return Ok(a.slug),
                Err(Error::Conflict(c)) if c.code == "taken" => continue,
                Err(e) => return Err(e),
            }
        }
        Err(Error::conflict("slug", "taken"))
    }

    /// Re-reads one thread into the search index (a merged one leaves it).
    pub async fn reindex_thread(&self, id: &str) -> Result<()> {
        let Some(t) = self.store().thread(id).await? else {
            return Ok(());
        };
        if t.merged_into.is_some() {
            self.unindex_doc(&format!("{THREAD_DOC}{id}"));
            return Ok(());
        }
        let text = self.store().thread_text(id).await?;
        self.index_doc(thread_doc(&t, text));
        Ok(())
    }

    async fn thread_written(&self, id: &str) -> Result<()> {
        self.reindex_thread(id).await?;
        self.tell_others(Topic::Help, &format!("{THREAD_DOC}{id}"))
            .await;
        Ok(())
    }
}

/// A post in the staff's review queue.
#[derive(Debug, Clone)]
pub struct QueuedPost {
    pub post: Post,
    pub thread_title: String,
    /// Open reports: none for a post that is only held.
    pub reports: Vec<store::PostReport>,
}

/// What waits for staff in the community.
#[derive(Debug, Clone)]
pub struct ReviewQueueView {
    pub held: Vec<QueuedPost>,
    pub reported: Vec<QueuedPost>,
    /// Whether new users' first posts are held.
    pub hold_first_posts: bool,
}

impl App {
    /// Whether the caller's next post waits for review: while staff have
    /// that on, until one of their posts has been let through.
    async fn holds(&self, caller: &Caller) -> Result<bool> {
        if caller.may(Action::ModerateCommunity) || !self.hold_first_posts().await? {
            return Ok(false);
        }
        Ok(!self.store().has_approved_post(caller.user_id()).await?)
    }

    /// Whether new users' first posts are held for review.
    pub async fn hold_first_posts(&self) -> Result<bool> {
        Ok(self.store().setting(HOLD_KEY).await?.as_deref() == Some("1"))
    }

    /// Staff: whether new users' first posts are held for review.
    pub async fn community_settings(&self, caller: &Caller) -> Result<bool> {
        self.permit(caller, Action::ModerateCommunity)?;
        self.hold_first_posts().await
    }

    /// Support admins switch holding new users' first posts on or off.
    pub async fn set_hold_first_posts(&self, caller: &Caller, on: bool) -> Result<()> {
        self.permit(caller, Action::ManageHelpCenter)?;
        self.store()
            .set_setting(HOLD_KEY, if on { "1" } else { "0" })
            .await?;
        Ok(())
    }

    /// A post the caller may see (through its thread, so hidden and held
    /// things stay a 404).
    async fn visible_post(&self, caller: &Caller, post_id: &str) -> Result<Post> {
        let post = self.store().post(post_id).await?.ok_or(Error::NotFound)?;
        let view = self.thread(Some(caller), &post.thread_id).await?;
        let seen = view.question.id == post.id || view.answers.iter().any(|a| a.id == post.id);
        if !seen {
            return Err(Error::NotFound);
        }
        Ok(post)
    }

    /// A reader reports a question or an answer to staff (once per post;
    /// not their own). Returns the thread's id.
    pub async fn report_community_post(
        &self,
        caller: &Caller,
        post_id: &str,
        reason: &str,
        comment: Option<&str>,
    ) -> Result<String> {
        self.permit(caller, Action::PostInCommunity)?;
        let reason = ReportReason::parse(reason)?;
        let comment =
            text::optional_block("comment", comment.unwrap_or(""), limits::FEEDBACK_COMMENT)?
                .unwrap_or_default();
        let post = self.visible_post(caller, post_id).await?;
        if post.author_id == caller.user_id() {
            return Err(Error::conflict("post", "own_post"));
        }
        self.throttle_posts(caller, "community-report", REPORTS_PER_HOUR)
            .await?;
        self.store()
            .report_post(
                post_id,
                caller.user_id(),
                reason.as_str(),
                &comment,
                self.now(),
            )
            .await?;
        Ok(post.thread_id)
    }

    /// Staff: what waits for review.
    pub async fn review_queue(&self, caller: &Caller) -> Result<ReviewQueueView> {
        self.permit(caller, Action::ModerateCommunity)?;
        let q = self.store().review_queue(100).await?;
        Ok(ReviewQueueView {
            held: q
                .held
                .into_iter()
                .map(|(post, thread_title)| QueuedPost {
                    post,
                    thread_title,
                    reports: Vec::new(),
                })
                .collect(),
            reported: q
                .reported
                .into_iter()
                .map(|(post, thread_title, reports)| QueuedPost {
                    post,
                    thread_title,
                    reports,
                })
                .collect(),
            hold_first_posts: self.hold_first_posts().await?,
        })
    }

    /// Staff: how many posts wait for review.
    pub async fn review_queue_len(&self, caller: &Caller) -> Result<i64> {
        self.permit(caller, Action::ModerateCommunity)?;
        Ok(self.store().review_queue_len().await?)
    }

    /// Staff decide on a held or reported post: approve lets a held post
    /// through, hide hides it (a question, its thread), dismiss closes its
    /// reports and leaves it as it is (not for a held post: that needs a
    /// yes or no). Returns the thread's id.
    pub async fn review_community_post(
        &self,
        caller: &Caller,
        post_id: &str,
        action: &str,
    ) -> Result<String> {
        self.permit(caller, Action::ModerateCommunity)?;
        let action = ReviewAction::parse(action)?;
        let post = self.store().post(post_id).await?.ok_or(Error::NotFound)?;
        if action == ReviewAction::Dismiss && post.held != 0 {
            return Err(Error::conflict("action", "held"));
        }
        self.store()
            .review_post(
                post_id,
                action == ReviewAction::Approve,
                action == ReviewAction::Hide,
                self.now(),
            )
            .await?;
        self.thread_written(&post.thread_id).await?;
        Ok(post.thread_id)
    }

    /// Staff: moves a thread to the other language's community, and
    /// retitles it when a title is given.
    pub async fn move_thread(
        &self,
        caller: &Caller,
        thread_id: &str,
        lang: Language,
        title: Option<&str>,
    ) -> Result<()> {
        self.permit(caller, Action::ModerateCommunity)?;
        let thread = self.live_thread(thread_id).await?;
        let title = match title {
            Some(t) => Some(text::line("title", t, limits::SUBJECT)?),
            None => None,
        };
        self.store()
            .move_thread(&thread.id, lang.as_str(), title.as_deref())
            .await?;
        self.thread_written(&thread.id).await?;
        Ok(())
    }

    /// Staff: merges a thread into another (a duplicate question into the
    /// one that has the answers). Returns the id of the thread kept.
    pub async fn merge_threads(&self, caller: &Caller, from: &str, into: &str) -> Result<String> {
        self.permit(caller, Action::ModerateCommunity)?;
        let from = self.live_thread(from).await?;
        let into = self
            // An id, or the thread's address pasted from the browser.
            .live_thread(
                into.trim()
                    .trim_end_matches('/')
                    .rsplit('/')
                    .next()
                    .unwrap_or(""),
            )
            .await
            .map_err(|e| match e {
                Error::NotFound => Error::invalid("into", "unknown"),
                e => e,
            })?;
        if from.id == into.id {
            return Err(Error::invalid("into", "same_thread"));
        }
        self.store()
            .merge_threads(&from.id, &into.id, self.now())
            .await?;
        self.thread_written(&from.id).await?;
        self.thread_written(&into.id).await?;
        Ok(into.id)
    }
}

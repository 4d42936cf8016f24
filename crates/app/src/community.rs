//! The help community: customers ask and answer each other, vote, and the
//! asker (or staff) accepts an answer, which is shown first; staff answers
//! are badged. Authors are untrusted: Markdown is sanitised, posting is
//! limited per user, and staff can hide or lock. Threads are public to
//! read; hidden ones are for staff only (a 404 to everyone else, in pages,
//! API and search).
use crate::changes::Topic;
use crate::{App, Caller, Error, Result};
use domain::text::{self, limits};
use domain::{Action, Language};
use store::{Post, Thread};

/// At most this many questions and answers per user and hour.
pub const POSTS_PER_HOUR: i64 = 20;

#[derive(Debug, Clone)]
pub struct ThreadView {
    pub thread: Thread,
    pub question: Post,
    /// The accepted answer first, then by votes, then oldest first.
    pub answers: Vec<Post>,
    /// The reader's own votes: (post id, value).
    pub my_votes: Vec<(String, i64)>,
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
        // Bit 5: hidden (staff only); bit 6: has an accepted answer.
        tag: (u64::from(t.hidden != 0) << 5) | (u64::from(t.accepted_post.is_some()) << 6),
    }
}

/// Whether a thread with this search tag is visible to the caller.
pub(crate) fn thread_visible(caller: Option<&Caller>, tag: u64) -> bool {
    tag & (1 << 5) == 0 || caller.is_some_and(|c| c.may(Action::ModerateCommunity))
}

impl App {
    fn visible_thread(&self, caller: Option<&Caller>, t: &Thread) -> bool {
        t.hidden == 0 || caller.is_some_and(|c| c.may(Action::ModerateCommunity))
    }

    /// Threads the reader may see, most recently active first.
    pub async fn threads(&self, caller: Option<&Caller>) -> Result<Vec<Thread>> {
        self.authorize(caller, Action::ReadHelp)?;
        let staff = caller.is_some_and(|c| c.may(Action::ModerateCommunity));
        Ok(self.store().threads(staff, 200).await?)
    }

    /// One thread with its answers.
    pub async fn thread(&self, caller: Option<&Caller>, id: &str) -> Result<ThreadView> {
        self.authorize(caller, Action::ReadHelp)?;
        let thread = self.store().thread(id).await?.ok_or(Error::NotFound)?;
        if !self.visible_thread(caller, &thread) {
            return Err(Error::NotFound);
        }
        let may_moderate = caller.is_some_and(|c| c.may(Action::ModerateCommunity));
        let mut posts = self.store().thread_posts(id).await?;
        if !may_moderate {
            posts.retain(|p| p.hidden == 0);
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
        let my_votes = match caller {
            Some(c) => self.store().my_votes(id, c.user_id()).await?,
            None => Vec::new(),
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
        })
    }

    /// Counts a post against the user's hourly allowance.
    async fn throttle_posts(&self, caller: &Caller) -> Result<()> {
        if caller.may(Action::ModerateCommunity) {
            return Ok(());
        }
        let used = self
            .store()
            .record_failure(
                &format!("community:{}", caller.user_id()),
                self.now(),
                3_600_000,
            )
            .await?;
        if used > POSTS_PER_HOUR {
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
        self.throttle_posts(caller).await?;
        let lang = lang
            .or(caller.language())
            .unwrap_or(self.config.default_language);
        let id = self
            .store()
            .create_thread(caller.user_id(), &title, &body, lang.as_str(), self.now())
            .await?;
        self.thread_written(&id).await?;
        Ok(id)
    }

    /// Answers a thread that is open; returns the answer's id.
    pub async fn answer_community(
        &self,
        caller: &Caller,
        thread_id: &str,
        body: &str,
    ) -> Result<String> {
        self.permit(caller, Action::PostInCommunity)?;
        let thread = self.thread(Some(caller), thread_id).await?.thread;
        if thread.locked != 0 {
            return Err(Error::conflict("thread", "locked"));
        }
        let body = text::block("body", body, limits::MESSAGE)?;
        self.throttle_posts(caller).await?;
        let id = self
            .store()
            .add_answer(thread_id, caller.user_id(), &body, self.now())
            .await?;
        self.thread_written(thread_id).await?;
        Ok(id)
    }

    /// Votes on a question or an answer: 1 up, -1 down, 0 takes it back.
    /// Nobody votes on their own post.
    pub async fn vote_community(&self, caller: &Caller, post_id: &str, value: i64) -> Result<()> {
        self.permit(caller, Action::PostInCommunity)?;
        if !(-1..=1).contains(&value) {
            return Err(Error::invalid("value", "vote"));
        }
        let post = self.store().post(post_id).await?.ok_or(Error::NotFound)?;
        // Through the thread, so hidden things stay a 404.
        let view = self.thread(Some(caller), &post.thread_id).await?;
        if post.hidden != 0 && !view.may_moderate {
            return Err(Error::NotFound);
        }
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
            && !view.answers.iter().any(|a| a.id == p && a.hidden == 0)
        {
            return Err(Error::invalid("answer", "unknown"));
        }
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
        self.store()
            .thread(thread_id)
            .await?
            .ok_or(Error::NotFound)?;
        self.store()
            .moderate_thread(thread_id, hidden, locked)
            .await?;
        self.thread_written(thread_id).await?;
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

    /// Re-reads one thread into the search index.
    pub async fn reindex_thread(&self, id: &str) -> Result<()> {
        let Some(t) = self.store().thread(id).await? else {
            return Ok(());
        };
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

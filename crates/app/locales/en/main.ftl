brand = statusdesk
skip-to-content = Skip to content
nav-main = Main navigation
nav-admin-panel = Admin panel
nav-staff = Support administration
nav-status = System status
nav-settings = Your settings
sign-in = Sign in
sign-out = Sign out
footer-status = System status
footer-tagline = Support and status in one place
language-sv = Svenska
language-en = English
language-browser = Follow my browser
back-home = Back to the start page
save = Save
create = Create
revoke = Revoke
never = Never
you = you

home-title = Start
hello-name = Hello { $name }
home-staff-lead = You are signed in as support staff.
home-admin-lead = See your organisation, its plan and its people, and reach support.
home-support-admin-lead = Manage customer organisations, their plans, chat rollout and the support team.
home-status-lead = Check the status page first when something does not work: known problems are posted there as soon as they are identified.
open-admin-panel = Open the admin panel
open-staff = Manage organisations
open-status = View system status
plan-includes = Your plan includes
feature-help-resources = Help center, help community and customer resource center
feature-direct-support = Direct support from administrators: questions by message
feature-chat = Chat with support
direct-support-explainer = Direct support is part of the Advanced and Enterprise plans, for the organisation's administrators. Everyone has the online help resources.
direct-support-admins = Administrators of your organisation can contact support directly, from a computer, and see every request made by any of them.
landing-title = Support and status, in one place
landing-lead = Find answers in the help resources, reach our support team directly on Advanced and Enterprise plans, and follow the status of every feature.
landing-help-title = Help for everyone
landing-help-body = Every customer has the help center, the help community and the customer resource center with best practices.
landing-support-title = Direct support
landing-support-body = Administrators on Advanced and Enterprise plans ask questions by message or chat with us, and follow every request their company has made.
landing-status-title = Public status page
landing-status-body = When a problem affects a listed feature we post it when it is identified, whenever its status changes and when it is resolved.

plan-core = Core
plan-advanced = Advanced
plan-enterprise = Enterprise
role-member = Member
role-admin = Administrator
role-agent = Agent
role-support_admin = Support admin

sign-in-title = Sign in
sign-in-lead = Use the e-mail address and password of your account.
field-email = E-mail address
field-password = Password
field-new-password = New password
field-confirm-password = Repeat the new password
field-current-password = Current password
field-initial-password = Initial password
field-name = Name
field-role = Role
field-organisation = Organisation
field-language = Language
field-label = Name
field-created = Created
field-last-used = Last used
field-state = State
field-actions = Actions
field-plan = Plan
field-admins = Admins
field-members = Members
field-chat = Chat
field-percent = Share of organisations (%)
forgot-link = Forgot your password?
forgot-title = Reset your password
forgot-lead = Enter the e-mail address of your account and we will send you a link to choose a new password.
forgot-submit = Send the link
forgot-again = Ask for a new link
forgot-sent-title = Check your e-mail
forgot-sent-body = If an account uses that address, a link to choose a new password is on its way. The link works once, for one hour.
back-to-sign-in = Back to sign-in
reset-title = Choose a new password
reset-submit = Save the new password
reset-invalid-title = This link no longer works
reset-invalid-body = Password reset links work once and for one hour. Ask for a new one.
password-rules = At least 10 characters. A few words in a row make a good password.
password-mismatch = The two new passwords are not the same.
password-current-wrong = The current password is not right.
change-password = Change password
mail-reset-subject = Reset your statusdesk password
mail-reset-body =
    Hello { $name },

    Someone asked to reset the password of your statusdesk account. To choose a new password, open this link within one hour:

    { $link }

    If it was not you, ignore this e-mail: your password stays as it is.

settings-title = Settings
settings-profile = Profile
settings-password = Password
settings-tokens = API tokens
settings-tokens-lead = Tokens let scripts use the REST API as you. Send one as "Authorization: Bearer <token>". Revoke a token you no longer use.
token-created = Your new token. Copy it now: it will not be shown again.
tokens-none = You have no API tokens.
token-label-placeholder = What the token is for
token-create = Create token
token-active = Active
token-revoked = Revoked

admin-people = People
admin-status-lead = Known problems with the product's features are posted on the status page as soon as they are identified.

staff-organisations = Customer organisations
staff-create-org = New organisation
staff-chat-rollout = Chat rollout
staff-chat-rollout-lead = Chat support is being rolled out. Organisations that follow the rollout get chat when they fall within this share; you can also switch chat on or off for one organisation.
staff-team = Support team
staff-add-staff = Add a staff member
add-user = Add user
chat-on = On
chat-off = Off
chat-by-rollout = follows the rollout
chat-by-override = set for this organisation
chat-setting-default = Follow the rollout
chat-setting-on = Always on
chat-setting-off = Always off

status-title = System status
status-lead = The product's features and how they work right now.
status-no-components = No features are listed on the status page yet.

done-signed-out = You have signed out.
done-password-reset = Your password is changed. Sign in with the new one.
done-password-changed = Your password is changed. Other sessions have been signed out.
done-token-revoked = The token is revoked.
done-saved = Saved.
done-org-created = The organisation is created.
done-user-created = The user is created.

invalid-email = Enter a valid e-mail address, such as name@example.com.
invalid-name = Enter a name of 1 to 100 characters.
invalid-password = The password must be at least 10 characters.
invalid-plan = Choose Core, Advanced or Enterprise.
invalid-role = Choose a role that fits: staff have no organisation, customers have one.
invalid-percent = Enter a whole number from 0 to 100.
invalid-input = Check the form and try again.
invalid-label = The name can be at most 100 characters.

error-title = Something is not right
error-not-found-title = Page not found
error-forbidden-title = Not available to you
error-internal-title = Something went wrong
error-bad-request = The request could not be understood.
error-unauthorized = Sign in to continue.
error-bad-credentials = Wrong e-mail address or password.
error-login-throttled = Too many failed sign-in attempts. Try again in { $minutes } minutes, or reset your password.
error-csrf = The form has expired or did not come from this site. Go back, reload the page and try again.
error-not-found = There is nothing here. It may have moved, or you may not have access to it.
error-conflict = That already exists.
error-too-many = Too many attempts. Wait a while and try again.
error-internal = Something went wrong on our side. It has been logged; please try again.
error-request-id = Request id: { $id }
deny-admins-only = Only the organisation's administrators can do this.
deny-plan-excludes-direct-support = Direct support is included in the Advanced and Enterprise plans. Your plan includes the help center, the help community and the customer resource center.
deny-chat-not-enabled = Chat support has not been rolled out to your organisation yet.
deny-staff-only = Only support staff can do this.
deny-support-admins-only = Only support admins can do this.
deny-customers-only = This is for customer organisations.

nav-support = Contact support
nav-queue = Support queue
contact-support = Contact support
contact-support-lead = Ask a question by message and follow every request your company's admins have made.
support-unavailable-title = Direct support is not available
help-resources-title = Help for everyone
help-center = Help center
help-center-desc = Articles about every feature.
help-community = Help community
help-community-desc = Questions and answers from other customers.
resource-center = Customer resource center
resource-center-desc = Best practices for a successful rollout.
computer-only = Direct support is available from a computer only. Open this page on your computer to ask a question or reply.

inbox-title = Support inbox
inbox-lead = Every request made by an administrator of your organisation, and where it stands.
inbox-empty = No requests match.
ask-question = Ask a question
filter-status = Filter by status
search = Search
search-placeholder = Search subjects and messages
any-priority = Any priority
any-feature = Any feature
filter = Filter
last-activity = Last activity
first-page = First page
next-page = Next page
status-all = All
status-new = New
status-open = Open
status-waiting_on_customer = Waiting on you
status-solved = Solved
status-closed = Closed
priority-high = High
priority-normal = Normal
priority-low = Low
field-priority = Priority
field-feature = Affected feature
field-subject = Subject
field-description = Describe the problem
field-attachments = Attachments
field-requester = Requested by
field-assignee = Assigned to
field-status = Status
field-age = Age
no-feature = None, or not sure
markdown-help = You can use Markdown: **bold**, *italic*, lists and links.
attachments-help = Up to 5 files of at most 10 MiB each: images, PDF or text files.
send-request = Send request
examples = For example
priority-note = Priority tells us how much the problem affects your business. It does not guarantee a faster or slower resolution, but it lets us focus on what is most urgent.
priority-high-title = High — severe business impact
priority-high-desc = Users cannot do their jobs. It needs action now and there is no workaround.
priority-high-ex1 = No user can sign in.
priority-high-ex2 = A key feature is broken for every user, such as creating groups.
priority-high-ex3 = A key person, such as the CEO, cannot use a basic feature such as live broadcasting.
priority-normal-title = Normal — moderate business impact
priority-normal-desc = Some users cannot do their jobs. Workarounds exist, or a feature that is not core is broken.
priority-normal-ex1 = Some users cannot broadcast live.
priority-normal-ex2 = A feature that is not core misbehaves: Mac users cannot download a video.
priority-low-title = Low — low business impact
priority-low-desc = Short-lived, with workarounds, affecting fewer than 5 % of users and no important part of the product.
priority-low-ex1 = A user now and then cannot see a chat thread linked to a group.
priority-low-ex2 = Some Android users cannot download a video, but can from a laptop or iOS.
priority-low-ex3 = Small questions about the API or developer support.
follow-up-note = This request follows up a closed one.
view-earlier = View the earlier request
request-title = Support request
internal-note = Internal note
closed-note = This request is closed. Closed requests are final; if the problem is back, start a follow-up request.
start-follow-up = Start a follow-up request
your-reply = Your reply
internal-checkbox = Internal note: only support staff see it
send-reply = Send
mark-solved = Mark as solved
reopen = Reopen
follow = Follow
unfollow = Stop following
unassigned = Unassigned
timeline = Timeline
queue-title = Support queue
queue-views = Queue views
queue-empty = Nothing here right now.
view-unassigned = Unassigned
view-mine = Mine
view-open = All open
view-waiting = Waiting on customer
view-solved = Solved
age-minutes = { $n } min
age-hours = { $n } h
age-days = { $n } d
event-created = { $actor } filed the request
event-replied = { $actor } replied
event-note = { $actor } added an internal note
event-status = { $actor } changed the status from { $from } to { $to }
event-auto-closed = Closed automatically after being solved for { $days } days
event-priority = { $actor } changed the priority from { $from } to { $to }
event-assigned = { $actor } assigned the request to { $name }
event-unassigned = { $actor } removed the assignee
error-transition = That change is not possible for a request in this state.
invalid-subject = Write a subject of at most 200 characters.
invalid-description = Describe the problem (at most 20,000 characters).
invalid-body = Write a message (at most 20,000 characters).
invalid-priority = Choose a priority: High, Normal or Low.
invalid-component = Choose one of the listed features.
invalid-attachments = The attachments could not be accepted.
invalid-follow_up_of = The earlier request was not found.
invalid-status = Choose a valid status.
invalid-assignee = Choose a member of the support team.
invalid-view = Choose one of the queue views.
done-request-sent = Your request is sent. You will see replies here and by e-mail.
done-reply-sent = Your reply is sent.
done-note-added = The internal note is added.
done-solved = The request is marked as solved.
done-reopened = The request is open again.
done-following = You follow this request and get e-mail about it.
done-not-following = You no longer follow this request.
mail-reply-subject = Re: { $subject }
mail-reply-body =
    Hello { $name },

    { $author } from support replied to your request:

    { $body }

    Status: { $status }
    Reply or follow the request here: { $link }
mail-status-subject = { $subject }: { $status }
mail-status-body =
    Hello { $name },

    The status of your support request is now: { $status }.

    Follow the request here: { $link }

status-updated = Updated
affects = Affects:
maintenance-window = Scheduled for
uptime-label = Uptime over the last 90 days:
uptime-90-days-ago = 90 days ago
uptime-word = uptime
uptime-today = Today
uptime-no-data = no data
uptime-major-minutes = { $n } min major outage
uptime-partial-minutes = { $n } min partial outage
incident-history = Past incidents
no-incidents = No incidents reported.
component-operational = Operational
component-degraded_performance = Degraded performance
component-partial_outage = Partial outage
component-major_outage = Major outage
component-under_maintenance = Under maintenance
overall-all_operational = All systems operational
overall-maintenance = Service under maintenance
overall-degraded = Partially degraded service
overall-minor_outage = Minor service outage
overall-partial_outage = Partial system outage
overall-major_outage = Major service outage
incident-investigating = Investigating
incident-identified = Identified
incident-monitoring = Monitoring
incident-resolved = Resolved
maintenance-scheduled = Scheduled
maintenance-in_progress = In progress
maintenance-verifying = Verifying
maintenance-completed = Completed
maintenance-auto-started = The scheduled maintenance has started.
maintenance-auto-completed = The scheduled maintenance is completed.
month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December
ongoing-incidents = Ongoing incidents that may affect you
known-problem = This is a known problem. Follow it here instead of filing a request:
nav-status-desk = Status desk
staff-status-title = Status desk
staff-status-lead = Post incidents and maintenance, and set the status of each feature. Everything here is public at once.
unchanged = Unchanged
update-message = Message
post-update = Post update
reply-linked = { $n ->
    [one] Reply to the linked support request
   *[other] Reply to all { $n } linked support requests
}
new-incident = New incident
field-impact = Impact
affected-components = Affected features
not-affected = Not affected
preview = Preview
preview-title = What subscribers will receive
post-incident = Post incident
new-maintenance = Schedule maintenance
field-starts = Starts (UTC)
field-ends = Ends (UTC)
times-utc = Times are in UTC. The maintenance starts and completes itself on time.
schedule = Schedule
components-title = Features
new-component = New feature
field-group = Group (optional)
impact-none = None
impact-minor = Minor
impact-major = Major
impact-critical = Critical
notify-subject = [statusdesk] { $name }: { $status }
notify-body =
    { $name }
    Status: { $status }
    Affects: { $components }

    { $body }
link-incident = Link to an ongoing incident
link = Link
done-incident-posted = The incident is posted on the status page.
done-update-posted = The update is posted.
done-replied-linked = Every linked request got the reply.
done-maintenance-scheduled = The maintenance is scheduled.
done-linked = The request is linked to the incident.
feed-title = statusdesk status history
feed-description = Incidents affecting the product's features, with every update.
feed-rss = RSS feed
feed-atom = Atom feed
subscribe-title = Subscribe to status updates
subscribe-lead = Get an e-mail when a problem is posted, when its status changes and when it is resolved. You confirm your address first; every e-mail has a one-click unsubscribe link.
subscribe-components = Only these features (leave all unticked for every feature)
subscribe-submit = Subscribe
subscribe-link = Subscribe to updates
subscribe-sent-title = Confirm your subscription
subscribe-sent-body = We sent you an e-mail. Open the link in it to start receiving updates; nothing is sent before you do.
subscribe-confirmed-title = You are subscribed
subscribe-confirmed-body = You will get an e-mail about every incident and maintenance of the features you chose.
subscribe-invalid-title = This link no longer works
subscribe-invalid-body = The confirmation link was used already or is unknown. Subscribe again if you want to.
unsubscribe-title = Unsubscribe
unsubscribe-lead = Stop the status e-mails to this address?
unsubscribe-submit = Unsubscribe
unsubscribed-title = You are unsubscribed
unsubscribed-body = You will get no more status e-mails.
sub-confirm-subject = Confirm your statusdesk status subscription
sub-confirm-body =
    Someone, probably you, asked to get statusdesk status updates at this address.

    Confirm here: { $link }

    If it was not you, ignore this e-mail; nothing more will be sent.
notify-follow = Follow it here: { $link }
notify-unsubscribe = Unsubscribe: { $link }
outbox-title = Deliveries
outbox-lead = Every e-mail and notification goes through the outbox. Messages that failed too many times are given up and listed here; send them again once the cause is fixed.
outbox-no-dead = Nothing has been given up.
field-channel = Channel
field-target = Recipient
field-attempts = Attempts
field-error = Last error
retry = Send again
done-retrying = The message will be sent again.

## Status integrations
integrations-title = Status integrations
integrations-lead = Post status updates into your team's Slack, Microsoft Teams or Discord channel, or to your own system, when a problem is posted, changes status and is resolved.
integrations-list = Your integrations
integrations-none = No integrations yet. Add one below.
integration-add = Add integration
integration-kind = Kind
integration-kind-slack = Slack
integration-kind-teams = Microsoft Teams
integration-kind-discord = Discord
integration-kind-webhook = Webhook (JSON)
integration-url = Webhook URL
integration-url-help = The incoming-webhook address the channel gave you. For Webhook (JSON), every post is signed; the secret is shown once.
integration-features = Features
integration-features-help = Choose none to hear about every feature.
integration-all-features = All features
integration-signed = Signed
integration-send-test = Send test
integration-remove = Remove
integration-test-sent = The test message was delivered.
integration-test-failed = The test message was not delivered: { $error }
integration-secret-once = Signing secret (shown only now):
integration-secret-help = Verify the X-Statusdesk-Signature header: v1= and the hex HMAC-SHA256 of the X-Statusdesk-Timestamp value, a dot, and the body. Reject timestamps older than five minutes.
integration-test-title = Test from the status page
integration-test-status = Test
integration-test-body = This integration works: incidents will be posted here.
admin-integrations-link = Status integrations
push-enable = Notify me in this browser
push-disable = Stop browser notifications
push-denied = Notifications are blocked in this browser.

# Validation and refusals, said the same way by pages and the API.
err-invalid = { $field }: check this and try again.
err-required = { $field }: fill this in.
err-too-long = { $field }: at most { $max } characters, please shorten it.
err-too-short = { $field }: at least { $min } characters.
err-control-chars = { $field }: remove line breaks and other control characters.
err-not-one-of = { $field }: “{ $value }” is not a choice here; choose one of { $allowed }.
err-not-one-of-plan = There is no plan “{ $value }”. Choose Core, Advanced or Enterprise.
err-not-one-of-priority = Choose a priority: High, Normal or Low.
err-not-one-of-status = { $field }: “{ $value }” is not a status; choose one of { $allowed }.
err-email = Enter a valid e-mail address, such as name@example.com.
err-required-email = Enter your e-mail address.
err-time = { $field }: “{ $value }” is not a date and time; write it like 2026-12-01T22:00:00Z.
err-time-order = The end must be after the start.
err-unknown-component = { $field }: there is no listed feature with the id “{ $value }”; choose one of the listed features.
err-components-required = Choose at least one listed feature that it affects.
err-unknown-request = { $field }: no such request of your organisation.
err-unknown-agent = Choose a member of the support team.
err-unknown-organisation = There is no such organisation.
err-customer-status = Customers can mark a request solved or reopen it; “{ $value }” is for support to set.
err-closed-final = Closed requests are final; start a follow-up request instead.
err-transition = That change is not possible in the current state. Reload and choose another.
err-changed-meanwhile = Someone changed this while you were working on it. Reload it and try again.
err-duplicate = That already exists.
err-duplicate-email = That already exists. A user has this e-mail address.
err-duplicate-name = That already exists. An organisation has this name.
err-cursor = The page link is out of date; start from the first page.
err-limit = { $field }: a whole number from 1 to 200, not “{ $value }”.
err-percent = Enter a whole number from 0 to 100.
err-password-current-wrong = The current password is not right.
err-password-rules = At least 10 characters. A few words in a row make a good password.
err-too-short-password = At least 10 characters. A few words in a row make a good password.
err-password-mismatch = The two new passwords are not the same.
err-role-customer = Support staff do not belong to an organisation.
err-role-staff = Customers belong to an organisation: choose member or admin.
err-role-staff-only = Choose agent or support admin.
err-role-customer-only = Choose member or admin.
err-attachment-size = { $name } is larger than { $max } MiB; attach a smaller file.
err-attachment-type = { $name } is not an image, PDF or text file; attach one of those.
err-attachment-count = Attach at most { $max } files.
err-form = The form could not be read; try again.
err-target = { $field }: this address cannot be used ({ $reason }).
err-secret-unsigned-kind = Only generic webhooks are signed; Slack, Teams and Discord URLs carry their own secret.
err-secret-length = The secret must be 16 to 200 characters.
err-push-keys = The browser's keys are not valid ({ $reason }).
err-malformed = The request body could not be read: { $detail }
err-too-large = The request is too large (at most { $max } KiB).
err-never-new = A request never returns to new.
err-close-unsolved = Only solved requests can be closed.
err-same-status = It already has that status.
err-already-solved = It is already solved.
err-reopen-unsolved = Only solved requests can be reopened.
err-autoclose-unsolved = Only solved requests close themselves.
err-incident-resolved = Resolved incidents are final; post a new incident if the problem returns.
err-maintenance-completed = Completed maintenance is final.
err-maintenance-order = Maintenance runs scheduled, in progress, verifying, completed: choose the next step.

fieldname-subject = Subject
fieldname-description = Description
fieldname-body = Message
fieldname-priority = Priority
fieldname-component = Feature
fieldname-components = Features
fieldname-status = Status
fieldname-assignee = Assignee
fieldname-name = Name
fieldname-email = E-mail address
fieldname-password = Password
fieldname-new-password = New password
fieldname-confirm = Repeated password
fieldname-current = Current password
fieldname-label = Name of the token
fieldname-plan = Plan
fieldname-role = Role
fieldname-chat-rollout = Chat
fieldname-percent = Percentage
fieldname-url = URL
fieldname-kind = Kind
fieldname-secret = Secret
fieldname-language = Language
fieldname-endpoint = Endpoint
fieldname-scheduled-for = Start
fieldname-scheduled-until = End
fieldname-impact = Impact
fieldname-group = Group
fieldname-view = View
fieldname-limit = Page size
fieldname-follow-up-of = Earlier request
fieldname-request-id = Request
fieldname-organisation-id = Organisation
fieldname-attachments = Attachments

# Chat.
err-chat-ended = This chat has ended. Start a new chat, or ask a question instead.
err-chat-not-yours = This chat is another agent's.
err-chat-taken = Another agent has taken this chat already.
err-chat-not-active = Nobody has taken this chat yet.
err-at-capacity = You have as many chats as you take at once; end one first.
err-chat-not-ended = A chat can be rated once it has ended.
err-client-id = { $field }: 1 to 100 letters, digits or signs, without spaces.
err-capacity = Write a whole number from 0 to 50, not “{ $value }”.
err-unknown-incident = There is no such incident.
fieldname-client-id = Message id
fieldname-agent = Agent
fieldname-capacity = Chats at once
fieldname-comment = Comment
fieldname-chat = Chat
fieldname-state = State
fieldname-routing = Routing
fieldname-incident = Incident
chat-request-lead = From a chat with support:
mail-chat-transcript-subject = Your chat with support: { $subject }
mail-chat-transcript-body =
    Hello { $name },

    here is your chat with support, “{ $subject }”:

    { $transcript }
mail-chat-answer-subject = Support answered your chat: { $subject }
mail-chat-answer-body =
    Hello { $name },

    you had left the chat when { $agent } from support answered:

    { $answer }

    Read the whole chat here: { $link }
chat-title = Chat with us
chats-title = Chats
chats-lead = Every chat of your organisation's admins with support.
chats-empty = No chats yet.
chat-available = { $n ->
    [one] Support is online now: one agent can answer you.
   *[other] Support is online now: { $n } agents can answer you.
}
chat-unavailable = Nobody from support can chat right now.
chat-unavailable-lead = Ask a question instead: what you have written goes with it, and support answers by message. Or start the chat anyway and wait in the queue.
chat-subject = Subject (optional)
chat-first-message = What can we help you with?
chat-start = Start the chat
chat-ask-instead = Ask a question instead
chat-wait-anyway = Start the chat and wait
chat-how-title = How chat works
chat-how = Your chat waits in the queue until an agent takes it; you see your place and the expected wait. You can leave: an answer that comes later is e-mailed to you, and every admin of your organisation can read the chat afterwards.
chat-with = with { $name }
chat-connecting = Connecting…
chat-connected = Connected
chat-reconnecting = Reconnecting… your messages are kept and sent when the connection is back.
chat-offline = You are offline. Your messages are kept and sent when you are back.
chat-sending = Sending…
chat-typing = { $name } is typing…
chat-waiting = Waiting for an agent…
chat-queue = You are number { $n } in the queue. Expected wait: about { $m } min.
chat-queue-next = You are next in the queue. Expected wait: about { $m } min.
chat-presence-online = { $name } is online.
chat-presence-away = { $name } is away for a moment.
chat-presence-offline = { $name } has gone offline.
chat-your-message = Write a message…
chat-send = Send
chat-enter-hint = Enter sends; Shift+Enter makes a new line.
chat-end = End the chat
chat-accept = Take this chat
chat-transfer = Hand over to
chat-transfer-send = Hand over
chat-rate-title = How was this chat?
chat-rating-good = Good
chat-rating-bad = Bad
chat-rated-good = You rated it good. You can change that.
chat-rated-bad = You rated it bad. You can change that.
chat-rate-comment = Anything to add? (optional)
chat-rate-send = Send the rating
chat-mail-transcript = E-mail me the transcript
chat-to-request = Turn into a support request
chat-to-request-lead = The request carries the whole conversation, and support follows it up by message.
chat-became-request = This chat became a support request: open it
chat-state-waiting = Waiting
chat-state-active = In progress
chat-state-ended = Ended
chat-console-title = Chats
chat-my-presence = I am
presence-online = Online
presence-away = Away
presence-offline = Offline
chat-routing-manual = New chats wait in the queue until an agent takes one.
chat-routing-auto = New chats go to the least busy agent who is online and has room.
chat-queue-title = Waiting
chat-queue-empty = Nobody is waiting.
chat-mine-title = My chats
chat-mine-empty = No chats in progress.
chat-team-title = The team
chat-others-title = Others in progress
chat-others-empty = None.
chat-ended-title = Ended lately
chat-ended-empty = None yet.
done-chat-ended = The chat has ended.
done-chat-rated = Thank you for rating the chat.
done-transcript-sent = The transcript is on its way to your e-mail.
done-chat-became-request = The chat is now this support request.
done-chat-accepted = The chat is yours.
done-chat-transferred = The chat was handed over.
staff-chat-settings = Chat settings
staff-chat-routing = How chats reach agents

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

brand = statusdesk
skip-to-content = Hoppa till innehållet
nav-main = Huvudmeny
nav-admin-panel = Administratörspanel
nav-staff = Supportadministration
nav-status = Driftstatus
nav-settings = Dina inställningar
sign-in = Logga in
sign-out = Logga ut
footer-status = Driftstatus
footer-tagline = Support och driftstatus på ett ställe
language-sv = Svenska
language-en = English
language-browser = Följ min webbläsare
back-home = Tillbaka till startsidan
save = Spara
create = Skapa
revoke = Återkalla
never = Aldrig
you = du

home-title = Start
hello-name = Hej { $name }
home-staff-lead = Du är inloggad som supportpersonal.
home-admin-lead = Se din organisation, dess plan och personer, och kontakta support.
home-support-admin-lead = Hantera kundorganisationer, deras planer, införandet av chatt och supportteamet.
home-status-lead = Titta på statussidan först när något inte fungerar: kända problem läggs upp där så snart de identifierats.
open-admin-panel = Öppna administratörspanelen
open-staff = Hantera organisationer
open-status = Visa driftstatus
plan-includes = Din plan innehåller
feature-help-resources = Hjälpcenter, hjälpcommunity och kundresurscenter
feature-direct-support = Direktsupport för administratörer: frågor via meddelande
feature-chat = Chatta med support
direct-support-explainer = Direktsupport ingår i planerna Advanced och Enterprise, för organisationens administratörer. Alla har tillgång till hjälpresurserna online.
direct-support-admins = Administratörer i din organisation kan kontakta support direkt, från datorn, och se alla supportbegäranden som någon av dem har gjort.
landing-title = Support och driftstatus på ett ställe
landing-lead = Hitta svar i hjälpresurserna, kontakta vårt supportteam direkt med planerna Advanced och Enterprise, och följ status för varje funktion.
landing-help-title = Hjälp för alla
landing-help-body = Alla kunder har hjälpcentret, hjälpcommunityn och kundresurscentret med metodtips.
landing-support-title = Direktsupport
landing-support-body = Administratörer med Advanced och Enterprise ställer frågor via meddelande eller chattar med oss, och följer alla ärenden som företaget har skickat in.
landing-status-title = Offentlig statussida
landing-status-body = När ett problem påverkar en listad funktion lägger vi upp det när det identifieras, när dess status ändras och när det är löst.

plan-core = Core
plan-advanced = Advanced
plan-enterprise = Enterprise
role-member = Medlem
role-admin = Administratör
role-agent = Supportagent
role-support_admin = Supportadministratör

sign-in-title = Logga in
sign-in-lead = Använd e-postadressen och lösenordet för ditt konto.
field-email = E-postadress
field-password = Lösenord
field-new-password = Nytt lösenord
field-confirm-password = Upprepa det nya lösenordet
field-current-password = Nuvarande lösenord
field-initial-password = Första lösenord
field-name = Namn
field-role = Roll
field-organisation = Organisation
field-language = Språk
field-label = Namn
field-created = Skapad
field-last-used = Senast använd
field-state = Läge
field-actions = Åtgärder
field-plan = Plan
field-admins = Administratörer
field-members = Medlemmar
field-chat = Chatt
field-percent = Andel organisationer (%)
forgot-link = Glömt lösenordet?
forgot-title = Återställ ditt lösenord
forgot-lead = Ange e-postadressen för ditt konto så skickar vi en länk där du väljer ett nytt lösenord.
forgot-submit = Skicka länken
forgot-again = Be om en ny länk
forgot-sent-title = Titta i din e-post
forgot-sent-body = Om ett konto använder den adressen är en länk för att välja nytt lösenord på väg. Länken fungerar en gång, i en timme.
back-to-sign-in = Tillbaka till inloggningen
reset-title = Välj ett nytt lösenord
reset-submit = Spara det nya lösenordet
reset-invalid-title = Länken fungerar inte längre
reset-invalid-body = Länkar för att återställa lösenord fungerar en gång och i en timme. Be om en ny.
password-rules = Minst 10 tecken. Några ord i rad blir ett bra lösenord.
password-mismatch = De två nya lösenorden är inte likadana.
password-current-wrong = Det nuvarande lösenordet stämmer inte.
change-password = Byt lösenord
mail-reset-subject = Återställ ditt lösenord till statusdesk
mail-reset-body =
    Hej { $name },

    Någon har bett om att återställa lösenordet till ditt statusdesk-konto. Öppna den här länken inom en timme för att välja ett nytt lösenord:

    { $link }

    Om det inte var du kan du bortse från det här meddelandet: ditt lösenord förblir som det är.

settings-title = Inställningar
settings-profile = Profil
settings-password = Lösenord
settings-tokens = API-nycklar
settings-tokens-lead = Med nycklar kan skript använda REST-API:t i ditt namn. Skicka en som "Authorization: Bearer <nyckel>". Återkalla nycklar du inte längre använder.
token-created = Din nya nyckel. Kopiera den nu: den visas inte igen.
tokens-none = Du har inga API-nycklar.
token-label-placeholder = Vad nyckeln ska användas till
token-create = Skapa nyckel
token-active = Aktiv
token-revoked = Återkallad

admin-people = Personer
admin-status-lead = Kända problem med produktens funktioner läggs upp på statussidan så snart de identifierats.

staff-organisations = Kundorganisationer
staff-create-org = Ny organisation
staff-chat-rollout = Införande av chatt
staff-chat-rollout-lead = Chattsupporten håller på att introduceras. Organisationer som följer införandet får chatt när de ryms inom den här andelen; du kan också slå på eller av chatt för en enskild organisation.
staff-team = Supportteamet
staff-add-staff = Lägg till supportpersonal
add-user = Lägg till användare
chat-on = På
chat-off = Av
chat-by-rollout = följer införandet
chat-by-override = inställt för organisationen
chat-setting-default = Följ införandet
chat-setting-on = Alltid på
chat-setting-off = Alltid av

status-title = Driftstatus
status-lead = Produktens funktioner och hur de fungerar just nu.
status-no-components = Inga funktioner är listade på statussidan ännu.

done-signed-out = Du har loggat ut.
done-password-reset = Ditt lösenord är bytt. Logga in med det nya.
done-password-changed = Ditt lösenord är bytt. Andra sessioner har loggats ut.
done-token-revoked = Nyckeln är återkallad.
done-saved = Sparat.
done-org-created = Organisationen är skapad.
done-user-created = Användaren är skapad.

invalid-email = Ange en giltig e-postadress, till exempel namn@exempel.se.
invalid-name = Ange ett namn på 1 till 100 tecken.
invalid-password = Lösenordet måste ha minst 10 tecken.
invalid-plan = Välj Core, Advanced eller Enterprise.
invalid-role = Välj en roll som passar: supportpersonal har ingen organisation, kunder har en.
invalid-percent = Ange ett heltal från 0 till 100.
invalid-input = Kontrollera formuläret och försök igen.
invalid-label = Namnet får vara högst 100 tecken.

error-title = Något stämmer inte
error-not-found-title = Sidan hittades inte
error-forbidden-title = Inte tillgängligt för dig
error-internal-title = Något gick fel
error-bad-request = Begäran kunde inte förstås.
error-unauthorized = Logga in för att fortsätta.
error-bad-credentials = Fel e-postadress eller lösenord.
error-login-throttled = För många misslyckade inloggningsförsök. Försök igen om { $minutes } minuter, eller återställ ditt lösenord.
error-csrf = Formuläret har gått ut eller kom inte från den här webbplatsen. Gå tillbaka, ladda om sidan och försök igen.
error-not-found = Det finns inget här. Det kan ha flyttats, eller så har du inte åtkomst till det.
error-conflict = Det finns redan.
error-too-many = För många försök. Vänta en stund och försök igen.
error-internal = Något gick fel hos oss. Felet är loggat; försök igen.
error-request-id = Begärans id: { $id }
deny-admins-only = Bara organisationens administratörer kan göra det här.
deny-plan-excludes-direct-support = Direktsupport ingår i planerna Advanced och Enterprise. Din plan innehåller hjälpcentret, hjälpcommunityn och kundresurscentret.
deny-chat-not-enabled = Chattsupporten har ännu inte införts för din organisation.
deny-staff-only = Bara supportpersonal kan göra det här.
deny-support-admins-only = Bara supportadministratörer kan göra det här.
deny-customers-only = Det här är för kundorganisationer.

nav-support = Kontakta support
nav-queue = Supportkö
contact-support = Kontakta support
contact-support-lead = Ställ en fråga via meddelande och följ alla ärenden som företagets administratörer har skickat in.
support-unavailable-title = Direktsupport är inte tillgänglig
help-resources-title = Hjälp för alla
help-center = Hjälpcenter
help-center-desc = Artiklar om alla funktioner.
help-community = Hjälpcommunity
help-community-desc = Frågor och svar från andra kunder.
resource-center = Kundresurscenter
resource-center-desc = Metodtips för en lyckad lansering.
computer-only = Direktsupport är bara tillgänglig från en dator. Öppna sidan på datorn för att ställa en fråga eller svara.

inbox-title = Supportinkorg
inbox-lead = Alla supportbegäranden som en administratör i din organisation har gjort, och hur det går med dem.
inbox-empty = Inga begäranden matchar.
ask-question = Ställ en fråga
filter-status = Filtrera efter status
search = Sök
search-placeholder = Sök i ämnen och meddelanden
any-priority = Alla prioriteringar
any-feature = Alla funktioner
filter = Filtrera
last-activity = Senaste aktivitet
first-page = Första sidan
next-page = Nästa sida
status-all = Alla
status-new = Ny
status-open = Öppen
status-waiting_on_customer = Väntar på dig
status-solved = Löst
status-closed = Stängd
priority-high = Hög
priority-normal = Normal
priority-low = Låg
field-priority = Prioritet
field-feature = Berörd funktion
field-subject = Ämne
field-description = Beskriv problemet
field-attachments = Bilagor
field-requester = Begärd av
field-assignee = Tilldelad
field-status = Status
field-age = Ålder
no-feature = Ingen, eller vet inte
markdown-help = Du kan använda Markdown: **fetstil**, *kursiv*, listor och länkar.
attachments-help = Upp till 5 filer på högst 10 MiB var: bilder, PDF eller textfiler.
send-request = Skicka begäran
examples = Till exempel
priority-note = Prioriteten berättar hur mycket problemet påverkar ert företag. Den garanterar inte en snabbare eller långsammare lösning, men hjälper oss att fokusera på det som är mest brådskande.
priority-high-title = Hög – allvarlig påverkan på företaget
priority-high-desc = Användare kan inte utföra sina jobb. Det kräver åtgärd direkt och det finns ingen tillfällig lösning.
priority-high-ex1 = Ingen användare kan logga in.
priority-high-ex2 = En nyckelfunktion fungerar inte för någon användare, till exempel att skapa grupper.
priority-high-ex3 = En nyckelperson, till exempel vd:n, kan inte använda en basfunktion som att sända live.
priority-normal-title = Normal – måttlig påverkan på företaget
priority-normal-desc = Vissa användare kan inte utföra sina jobb. Det finns tillfälliga lösningar, eller så fungerar en funktion som inte är central inte.
priority-normal-ex1 = Vissa användare kan inte sända live.
priority-normal-ex2 = En funktion som inte är central fungerar fel: Mac-användare kan inte ladda ned en video.
priority-low-title = Låg – liten påverkan på företaget
priority-low-desc = Kortvarigt, med tillfälliga lösningar, berör färre än 5 % av användarna och ingen viktig del av produkten.
priority-low-ex1 = En användare ser ibland inte en chattråd som är länkad till en grupp.
priority-low-ex2 = Vissa Android-användare kan inte ladda ned en video, men kan göra det från en bärbar dator eller iOS.
priority-low-ex3 = Mindre frågor om API:t eller utvecklarsupport.
follow-up-note = Den här begäran följer upp en stängd begäran.
view-earlier = Visa den tidigare begäran
request-title = Supportbegäran
internal-note = Intern anteckning
closed-note = Begäran är stängd. Stängda begäranden är slutgiltiga; om problemet är tillbaka, starta en uppföljande begäran.
start-follow-up = Starta en uppföljande begäran
your-reply = Ditt svar
internal-checkbox = Intern anteckning: bara supportpersonal ser den
send-reply = Skicka
mark-solved = Markera som löst
reopen = Öppna igen
follow = Följ
unfollow = Sluta följa
unassigned = Ej tilldelad
timeline = Tidslinje
queue-title = Supportkö
queue-views = Vyer i kön
queue-empty = Inget här just nu.
view-unassigned = Ej tilldelade
view-mine = Mina
view-open = Alla öppna
view-waiting = Väntar på kund
view-solved = Lösta
age-minutes = { $n } min
age-hours = { $n } tim
age-days = { $n } d
event-created = { $actor } skickade in begäran
event-replied = { $actor } svarade
event-note = { $actor } lade till en intern anteckning
event-status = { $actor } ändrade status från { $from } till { $to }
event-auto-closed = Stängdes automatiskt efter att ha varit löst i { $days } dagar
event-priority = { $actor } ändrade prioritet från { $from } till { $to }
event-assigned = { $actor } tilldelade begäran till { $name }
event-unassigned = { $actor } tog bort tilldelningen
error-transition = Den ändringen går inte att göra för en begäran i det här läget.
invalid-subject = Skriv ett ämne på högst 200 tecken.
invalid-description = Beskriv problemet (högst 20 000 tecken).
invalid-body = Skriv ett meddelande (högst 20 000 tecken).
invalid-priority = Välj en prioritet: Hög, Normal eller Låg.
invalid-component = Välj en av de listade funktionerna.
invalid-attachments = Bilagorna kunde inte tas emot.
invalid-follow_up_of = Den tidigare begäran hittades inte.
invalid-status = Välj en giltig status.
invalid-assignee = Välj någon i supportteamet.
invalid-view = Välj en av vyerna i kön.
done-request-sent = Din begäran är skickad. Du ser svaren här och får dem via e-post.
done-reply-sent = Ditt svar är skickat.
done-note-added = Den interna anteckningen är tillagd.
done-solved = Begäran är markerad som löst.
done-reopened = Begäran är öppen igen.
done-following = Du följer begäran och får e-post om den.
done-not-following = Du följer inte längre begäran.
mail-reply-subject = Sv: { $subject }
mail-reply-body =
    Hej { $name },

    { $author } från supporten har svarat på din begäran:

    { $body }

    Status: { $status }
    Svara eller följ begäran här: { $link }
mail-status-subject = { $subject }: { $status }
mail-status-body =
    Hej { $name },

    Statusen för din supportbegäran är nu: { $status }.

    Följ begäran här: { $link }

status-updated = Uppdaterad
affects = Berör:
maintenance-window = Planerat
uptime-label = Drifttid de senaste 90 dagarna:
uptime-90-days-ago = För 90 dagar sedan
uptime-word = drifttid
uptime-today = I dag
uptime-no-data = inga uppgifter
uptime-major-minutes = { $n } min större avbrott
uptime-partial-minutes = { $n } min delvis avbrott
incident-history = Tidigare händelser
no-incidents = Inga händelser rapporterade.
component-operational = Fungerar
component-degraded_performance = Försämrad prestanda
component-partial_outage = Delvis avbrott
component-major_outage = Större avbrott
component-under_maintenance = Underhåll pågår
overall-all_operational = Alla system fungerar
overall-maintenance = Underhåll pågår
overall-degraded = Delvis försämrad tjänst
overall-minor_outage = Mindre avbrott
overall-partial_outage = Delvis avbrott i systemet
overall-major_outage = Större avbrott
incident-investigating = Undersöks
incident-identified = Identifierat
incident-monitoring = Övervakas
incident-resolved = Löst
maintenance-scheduled = Planerat
maintenance-in_progress = Pågår
maintenance-verifying = Kontrolleras
maintenance-completed = Klart
maintenance-auto-started = Det planerade underhållet har börjat.
maintenance-auto-completed = Det planerade underhållet är klart.
month-1 = januari
month-2 = februari
month-3 = mars
month-4 = april
month-5 = maj
month-6 = juni
month-7 = juli
month-8 = augusti
month-9 = september
month-10 = oktober
month-11 = november
month-12 = december
ongoing-incidents = Pågående händelser som kan påverka er
known-problem = Det här är ett känt problem. Följ det här i stället för att skicka en begäran:
nav-status-desk = Statusdesk
staff-status-title = Statusdesk
staff-status-lead = Publicera händelser och underhåll och ange status för varje funktion. Allt här blir offentligt direkt.
unchanged = Oförändrad
update-message = Meddelande
post-update = Publicera uppdatering
reply-linked = { $n ->
    [one] Svara på den länkade supportbegäran
   *[other] Svara på alla { $n } länkade supportbegäranden
}
new-incident = Ny händelse
field-impact = Påverkan
affected-components = Berörda funktioner
not-affected = Påverkas inte
preview = Förhandsgranska
preview-title = Det här får prenumeranterna
post-incident = Publicera händelse
new-maintenance = Planera underhåll
field-starts = Börjar (UTC)
field-ends = Slutar (UTC)
times-utc = Tiderna är i UTC. Underhållet börjar och avslutas av sig självt i tid.
schedule = Planera
components-title = Funktioner
new-component = Ny funktion
field-group = Grupp (valfri)
impact-none = Ingen
impact-minor = Liten
impact-major = Stor
impact-critical = Kritisk
notify-subject = [statusdesk] { $name }: { $status }
notify-body =
    { $name }
    Status: { $status }
    Berör: { $components }

    { $body }
link-incident = Länka till en pågående händelse
link = Länka
done-incident-posted = Händelsen är publicerad på statussidan.
done-update-posted = Uppdateringen är publicerad.
done-replied-linked = Alla länkade begäranden har fått svaret.
done-maintenance-scheduled = Underhållet är planerat.
done-linked = Begäran är länkad till händelsen.
feed-title = statusdesk – driftstatus och historik
feed-description = Händelser som påverkar produktens funktioner, med alla uppdateringar.
feed-rss = RSS-flöde
feed-atom = Atom-flöde
subscribe-title = Prenumerera på statusuppdateringar
subscribe-lead = Få ett e-postmeddelande när ett problem publiceras, när dess status ändras och när det är löst. Du bekräftar din adress först; varje meddelande har en länk för att avsluta med ett klick.
subscribe-components = Bara de här funktionerna (lämna alla omarkerade för alla funktioner)
subscribe-submit = Prenumerera
subscribe-link = Prenumerera på uppdateringar
subscribe-sent-title = Bekräfta din prenumeration
subscribe-sent-body = Vi har skickat ett e-postmeddelande. Öppna länken i det för att börja få uppdateringar; inget skickas innan dess.
subscribe-confirmed-title = Du prenumererar nu
subscribe-confirmed-body = Du får e-post om varje händelse och underhåll för de funktioner du valde.
subscribe-invalid-title = Länken fungerar inte längre
subscribe-invalid-body = Bekräftelselänken har redan använts eller är okänd. Prenumerera igen om du vill.
unsubscribe-title = Avsluta prenumeration
unsubscribe-lead = Sluta skicka statusmeddelanden till den här adressen?
unsubscribe-submit = Avsluta
unsubscribed-title = Prenumerationen är avslutad
unsubscribed-body = Du får inga fler statusmeddelanden.
sub-confirm-subject = Bekräfta din prenumeration på statusdesk-status
sub-confirm-body =
    Någon, förmodligen du, har bett om statusuppdateringar från statusdesk till den här adressen.

    Bekräfta här: { $link }

    Om det inte var du kan du bortse från meddelandet; inget mer skickas.
notify-follow = Följ den här: { $link }
notify-unsubscribe = Avsluta prenumerationen: { $link }
outbox-title = Leveranser
outbox-lead = All e-post och alla aviseringar går via utkorgen. Meddelanden som misslyckats för många gånger ges upp och visas här; skicka dem igen när orsaken är åtgärdad.
outbox-no-dead = Inget har getts upp.
field-channel = Kanal
field-target = Mottagare
field-attempts = Försök
field-error = Senaste fel
retry = Skicka igen
done-retrying = Meddelandet skickas igen.

## Status integrations
integrations-title = Statusintegrationer
integrations-lead = Skicka statusuppdateringar till ditt teams kanal i Slack, Microsoft Teams eller Discord, eller till ert eget system, när ett problem läggs upp, byter status och är löst.
integrations-list = Era integrationer
integrations-none = Inga integrationer ännu. Lägg till en nedan.
integration-add = Lägg till integration
integration-kind = Typ
integration-kind-slack = Slack
integration-kind-teams = Microsoft Teams
integration-kind-discord = Discord
integration-kind-webhook = Webhook (JSON)
integration-url = Webhook-adress
integration-url-help = Adressen för inkommande webhooks som kanalen gav er. För Webhook (JSON) signeras varje anrop; hemligheten visas en gång.
integration-features = Funktioner
integration-features-help = Välj ingen för att få höra om alla funktioner.
integration-all-features = Alla funktioner
integration-signed = Signerad
integration-send-test = Skicka test
integration-remove = Ta bort
integration-test-sent = Testmeddelandet levererades.
integration-test-failed = Testmeddelandet levererades inte: { $error }
integration-secret-once = Signeringshemlighet (visas bara nu):
integration-secret-help = Kontrollera rubriken X-Statusdesk-Signature: v1= och hex-HMAC-SHA256 av värdet i X-Statusdesk-Timestamp, en punkt och innehållet. Avvisa tidsstämplar äldre än fem minuter.
integration-test-title = Test från statussidan
integration-test-status = Test
integration-test-body = Integrationen fungerar: incidenter kommer att läggas upp här.
admin-integrations-link = Statusintegrationer
push-enable = Avisera mig i den här webbläsaren
push-disable = Sluta med aviseringar i webbläsaren
push-denied = Aviseringar är blockerade i den här webbläsaren.

# Validation and refusals, said the same way by pages and the API.
err-invalid = { $field }: kontrollera och försök igen.
err-required = { $field }: fyll i det här.
err-too-long = { $field }: högst { $max } tecken, korta ner texten.
err-too-short = { $field }: minst { $min } tecken.
err-control-chars = { $field }: ta bort radbrytningar och andra styrtecken.
err-not-one-of = { $field }: ”{ $value }” går inte att välja här; välj en av { $allowed }.
err-not-one-of-plan = Det finns ingen plan ”{ $value }”. Välj Core, Advanced eller Enterprise.
err-not-one-of-priority = Välj en prioritet: Hög, Normal eller Låg.
err-not-one-of-status = { $field }: ”{ $value }” är ingen status; välj en av { $allowed }.
err-email = Ange en giltig e-postadress, till exempel namn@exempel.se.
err-required-email = Ange din e-postadress.
err-time = { $field }: ”{ $value }” är inte ett datum och en tid; skriv till exempel 2026-12-01T22:00:00Z.
err-time-order = Slutet måste komma efter starten.
err-unknown-component = { $field }: det finns ingen listad funktion med id ”{ $value }”; välj en av de listade funktionerna.
err-components-required = Välj minst en listad funktion som berörs.
err-unknown-request = { $field }: din organisation har inget sådant ärende.
err-unknown-agent = Välj någon i supportteamet.
err-unknown-organisation = Det finns ingen sådan organisation.
err-customer-status = Kunder kan markera ett ärende som löst eller öppna det igen; ”{ $value }” sätts av supporten.
err-closed-final = Stängda ärenden är avslutade; skapa ett uppföljande ärende i stället.
err-transition = Den ändringen går inte i det nuvarande läget. Ladda om och välj en annan.
err-changed-meanwhile = Någon ändrade det här medan du arbetade. Ladda om och försök igen.
err-duplicate = Det finns redan.
err-duplicate-email = Det finns redan. En användare har den här e-postadressen.
err-duplicate-name = Det finns redan. En organisation har det här namnet.
err-cursor = Sidlänken är inaktuell; börja från första sidan.
err-limit = { $field }: ett heltal från 1 till 200, inte ”{ $value }”.
err-percent = Ange ett heltal från 0 till 100.
err-password-current-wrong = Ditt nuvarande lösenord stämmer inte.
err-password-rules = Minst 10 tecken. Några ord i rad blir ett bra lösenord.
err-too-short-password = Minst 10 tecken. Några ord i rad blir ett bra lösenord.
err-password-mismatch = De två nya lösenorden är inte likadana.
err-role-customer = Supportpersonal hör inte till någon organisation.
err-role-staff = Kunder hör till en organisation: välj medlem eller administratör.
err-role-staff-only = Välj agent eller supportadministratör.
err-role-customer-only = Välj medlem eller administratör.
err-attachment-size = { $name } är större än { $max } MiB; bifoga en mindre fil.
err-attachment-type = { $name } är varken en bild, en PDF eller en textfil; bifoga en sådan.
err-attachment-count = Bifoga högst { $max } filer.
err-form = Formuläret kunde inte läsas; försök igen.
err-target = { $field }: adressen kan inte användas ({ $reason }).
err-secret-unsigned-kind = Bara generiska webhooks signeras; Slack-, Teams- och Discord-adresser har en egen hemlighet.
err-secret-length = Hemligheten måste ha 16 till 200 tecken.
err-push-keys = Webbläsarens nycklar är ogiltiga ({ $reason }).
err-malformed = Anropets innehåll kunde inte läsas: { $detail }
err-too-large = Anropet är för stort (högst { $max } KiB).
err-never-new = Ett ärende blir aldrig nytt igen.
err-close-unsolved = Bara lösta ärenden kan stängas.
err-same-status = Det har redan den statusen.
err-already-solved = Det är redan löst.
err-reopen-unsolved = Bara lösta ärenden kan öppnas igen.
err-autoclose-unsolved = Bara lösta ärenden stängs av sig själva.
err-incident-resolved = Lösta incidenter är avslutade; lägg upp en ny incident om problemet kommer tillbaka.
err-maintenance-completed = Avslutat underhåll är slutgiltigt.
err-maintenance-order = Underhåll går schemalagt, pågår, verifieras, avslutat: välj nästa steg.

fieldname-subject = Ämne
fieldname-description = Beskrivning
fieldname-body = Meddelande
fieldname-priority = Prioritet
fieldname-component = Funktion
fieldname-components = Funktioner
fieldname-status = Status
fieldname-assignee = Handläggare
fieldname-name = Namn
fieldname-email = E-postadress
fieldname-password = Lösenord
fieldname-new-password = Nytt lösenord
fieldname-confirm = Upprepat lösenord
fieldname-current = Nuvarande lösenord
fieldname-label = Nyckelns namn
fieldname-plan = Plan
fieldname-role = Roll
fieldname-chat-rollout = Chatt
fieldname-percent = Procentsats
fieldname-url = URL
fieldname-kind = Typ
fieldname-secret = Hemlighet
fieldname-language = Språk
fieldname-endpoint = Slutpunkt
fieldname-scheduled-for = Start
fieldname-scheduled-until = Slut
fieldname-impact = Påverkan
fieldname-group = Grupp
fieldname-view = Vy
fieldname-limit = Sidstorlek
fieldname-follow-up-of = Tidigare ärende
fieldname-request-id = Ärende
fieldname-organisation-id = Organisation
fieldname-attachments = Bilagor

# Chat.
err-chat-ended = Chatten är avslutad. Starta en ny chatt eller ställ en fråga i stället.
err-chat-not-yours = Chatten är en annan agents.
err-chat-taken = En annan agent har redan tagit chatten.
err-chat-not-active = Ingen har tagit chatten ännu.
err-at-capacity = Du har så många chattar som du tar åt gången; avsluta en först.
err-chat-not-ended = En chatt kan betygsättas när den är avslutad.
err-client-id = { $field }: 1 till 100 bokstäver, siffror eller tecken, utan mellanslag.
err-capacity = Skriv ett heltal från 0 till 50, inte ”{ $value }”.
err-unknown-incident = Det finns ingen sådan incident.
fieldname-client-id = Meddelandets id
fieldname-agent = Agent
fieldname-capacity = Chattar åt gången
fieldname-comment = Kommentar
fieldname-chat = Chatt
fieldname-state = Läge
fieldname-routing = Fördelning
fieldname-incident = Incident
chat-request-lead = Från en chatt med supporten:
mail-chat-transcript-subject = Din chatt med supporten: { $subject }
mail-chat-transcript-body =
    Hej { $name },

    här är din chatt med supporten, ”{ $subject }”:

    { $transcript }
mail-chat-answer-subject = Supporten svarade i din chatt: { $subject }
mail-chat-answer-body =
    Hej { $name },

    du hade lämnat chatten när { $agent } från supporten svarade:

    { $answer }

    Läs hela chatten här: { $link }
chat-title = Chatta med oss
chats-title = Chattar
chats-lead = Alla chattar mellan din organisations administratörer och supporten.
chats-empty = Inga chattar ännu.
chat-available = { $n ->
    [one] Supporten är här nu: en agent kan svara dig.
   *[other] Supporten är här nu: { $n } agenter kan svara dig.
}
chat-unavailable = Ingen från supporten kan chatta just nu.
chat-unavailable-lead = Ställ en fråga i stället: det du har skrivit följer med, och supporten svarar med ett meddelande. Eller starta chatten ändå och vänta i kön.
chat-subject = Ämne (frivilligt)
chat-first-message = Vad kan vi hjälpa dig med?
chat-start = Starta chatten
chat-ask-instead = Ställ en fråga i stället
chat-wait-anyway = Starta chatten och vänta
chat-how-title = Så fungerar chatten
chat-how = Din chatt väntar i kön tills en agent tar den; du ser din plats och den väntade tiden. Du kan gå: ett svar som kommer senare skickas till din e-post, och alla administratörer i din organisation kan läsa chatten efteråt.
chat-with = med { $name }
chat-connecting = Ansluter…
chat-connected = Ansluten
chat-reconnecting = Ansluter igen… dina meddelanden sparas och skickas när anslutningen är tillbaka.
chat-offline = Du är offline. Dina meddelanden sparas och skickas när du är tillbaka.
chat-sending = Skickar…
chat-typing = { $name } skriver…
chat-waiting = Väntar på en agent…
chat-queue = Du är nummer { $n } i kön. Väntad tid: ungefär { $m } min.
chat-queue-next = Du är näst på tur. Väntad tid: ungefär { $m } min.
chat-presence-online = { $name } är här.
chat-presence-away = { $name } är borta en stund.
chat-presence-offline = { $name } har gått offline.
chat-your-message = Skriv ett meddelande…
chat-send = Skicka
chat-enter-hint = Enter skickar; Skift+Enter ger en ny rad.
chat-end = Avsluta chatten
chat-accept = Ta den här chatten
chat-transfer = Lämna över till
chat-transfer-send = Lämna över
chat-rate-title = Hur var chatten?
chat-rating-good = Bra
chat-rating-bad = Dålig
chat-rated-good = Du gav den betyget bra. Du kan ändra det.
chat-rated-bad = Du gav den betyget dålig. Du kan ändra det.
chat-rate-comment = Något att tillägga? (frivilligt)
chat-rate-send = Skicka betyget
chat-mail-transcript = Skicka utskriften till min e-post
chat-to-request = Gör om till ett supportärende
chat-to-request-lead = Ärendet får hela samtalet, och supporten följer upp det med meddelanden.
chat-became-request = Chatten blev ett supportärende: öppna det
chat-state-waiting = Väntar
chat-state-active = Pågår
chat-state-ended = Avslutad
chat-console-title = Chattar
chat-my-presence = Jag är
presence-online = Här
presence-away = Borta
presence-offline = Offline
chat-routing-manual = Nya chattar väntar i kön tills en agent tar en.
chat-routing-auto = Nya chattar går till den minst upptagna agenten som är här och har plats.
chat-queue-title = Väntar
chat-queue-empty = Ingen väntar.
chat-mine-title = Mina chattar
chat-mine-empty = Inga pågående chattar.
chat-team-title = Teamet
chat-others-title = Andra pågående
chat-others-empty = Inga.
chat-ended-title = Nyligen avslutade
chat-ended-empty = Inga ännu.
done-chat-ended = Chatten är avslutad.
done-chat-rated = Tack för ditt betyg.
done-transcript-sent = Utskriften är på väg till din e-post.
done-chat-became-request = Chatten är nu det här supportärendet.
done-chat-accepted = Chatten är din.
done-chat-transferred = Chatten lämnades över.
staff-chat-settings = Chattinställningar
staff-chat-routing = Hur chattar når agenterna

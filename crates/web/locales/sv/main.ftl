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

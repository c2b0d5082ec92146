// @ts-check
// The web app in three languages: it starts in the browser's language, a member chooses another
// in the account settings and it follows them (after a reload, on the sign-in page of this device),
// the server's validation problems are said in the chosen language from their codes, and the
// built-in assistant answers in it.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { chromium } from 'playwright-core'
import { launch, BASE_URL, SAME_ORIGIN, SHOTS } from './browser.mjs'

/** @type {Awaited<ReturnType<typeof launch>>} */
let owner
/** @type {import('playwright-core').Browser} */
let browser

before(async () => {
  owner = await launch()
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  })
})
after(async () => {
  await browser?.close()
  await owner?.browser.close()
})

test('a French browser gets French; Spanish chosen in the account follows the member', async () => {
  // A new member of the owner's workspace, so the owner's language is left alone.
  const invite = await owner.page.request.post('/api/v1/invitations', {
    headers: SAME_ORIGIN,
    data: { email: 'lucie@example.com', role: 'member' },
  })
  assert.equal(invite.status(), 201, await invite.text())
  const token = new URL((await invite.json()).accept_url).pathname.split('/').pop()
  const context = await browser.newContext({
    baseURL: BASE_URL,
    locale: 'fr-FR',
    viewport: { width: 1280, height: 800 },
  })
  const page = await context.newPage()
  page.setDefaultTimeout(10_000)
  const accepted = await page.request.post(`/api/v1/invitations/${token}/accept`, {
    headers: SAME_ORIGIN,
    data: { display_name: 'Lucie Langue', password: 'une phrase de passe' },
  })
  assert.equal(accepted.status(), 200, await accepted.text())

  // Nothing chosen: the browser's French, dates and all.
  await page.goto('/follow-ups')
  await page.getByRole('heading', { name: 'Relances' }).waitFor()
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'fr')
  await page.getByRole('navigation', { name: 'Principale' }).getByRole('link', { name: 'Contacts' }).waitFor()
  await page.getByRole('tab', { name: /Aujourd’hui/ }).waitFor()

  // Spanish, chosen in the account settings, applies at once and is kept on the user.
  await page.goto('/account')
  await page.getByRole('heading', { name: 'Compte' }).waitFor()
  await page.locator('[name="locale"]').selectOption('es')
  await page.getByRole('button', { name: 'Enregistrer la langue' }).click()
  await page.getByRole('heading', { name: 'Cuenta' }).waitFor()
  await page.getByText('Idioma guardado').waitFor()
  const me = await page.request.get('/api/v1/me')
  assert.equal((await me.json()).user.locale, 'es')

  // A name too long for the server: its `length` code with `max`, said in Spanish.
  await page.locator('[name="display_name"]').evaluate((input) => input.removeAttribute('maxlength'))
  await page.locator('[name="display_name"]').fill('x'.repeat(101))
  await page.getByRole('button', { name: 'Guardar nombre' }).click()
  await page.getByText('Debe tener entre 1 y 100 caracteres').waitFor()
  await page.screenshot({ path: `${SHOTS}language-es-account.png` })

  // The main flow in Spanish: find a contact, open it, log a call.
  const created = await page.request.post('/api/v1/contacts', {
    headers: SAME_ORIGIN,
    data: { first_name: 'Inés', last_name: 'Ruiz', lifecycle: 'prospect', source: 'referral' },
  })
  assert.equal(created.status(), 201, await created.text())
  await page.goto('/contacts')
  await page.getByRole('searchbox', { name: 'Buscar contactos' }).fill('Inés Ruiz')
  const row = page.getByRole('table', { name: 'Contactos' }).getByRole('row').filter({ hasText: 'Inés Ruiz' })
  await row.getByText('Prospecto').waitFor()
  await page.getByTestId('contact-count').getByText('1 contacto').waitFor()
  await row.getByRole('link', { name: /Inés Ruiz/ }).click()
  await page.getByRole('heading', { name: 'Inés Ruiz' }).waitFor()
  await page.getByText('Recomendación').waitFor()
  await page.getByRole('textbox', { name: 'Asunto' }).fill('Llamada de presentación')
  await page.getByRole('button', { name: 'Registrar', exact: true }).click()
  await page.getByText('Registrado: Llamada').waitFor()
  await page.getByRole('list', { name: 'Interacciones' }).getByText('Llamada de presentación').waitFor()
  // The contact's history, written by the server, is worded in Spanish from its codes.
  await page.getByRole('heading', { name: 'Historial' }).click()
  const history = page.getByRole('list', { name: 'Actividad' })
  await history.getByText('Se registró una llamada con Inés Ruiz: Llamada de presentación').waitFor()
  await history.getByText('Se añadió a Inés Ruiz').waitFor()
  // The built-in assistant writes its insights in Spanish too.
  await page.getByRole('button', { name: 'Obtener ideas' }).click()
  await page
    .getByText('Inés Ruiz es un prospecto que llegó por una recomendación.', { exact: false })
    .waitFor()
  await page.getByText('Sobre todo llamadas (1 de 1 interacción)', { exact: false }).waitFor()
  await page.screenshot({ path: `${SHOTS}language-es-contact.png`, fullPage: true })

  // The board and the company list speak Spanish too, numbers in Spanish form.
  await page.goto('/pipeline')
  await page.getByRole('heading', { name: 'Embudo' }).waitFor()
  await page
    .getByText(/\d+\s%\sde probabilidad/)
    .first()
    .waitFor()
  await page.getByRole('button', { name: '+ Añadir oportunidad' }).first().waitFor()
  await page.screenshot({ path: `${SHOTS}language-es-pipeline.png`, fullPage: true })
  await page.goto('/companies/new')
  await page.getByRole('heading', { name: 'Nueva empresa' }).waitFor()
  await page.getByRole('textbox', { name: 'Sitio web o dominio' }).waitFor()
  // Importing, sequences and lead capture forms too.
  await page.goto('/imports')
  await page.getByRole('heading', { name: 'Importar contactos y correos' }).waitFor()
  await page.getByText('Elige o suelta un archivo').waitFor()
  await page.goto('/sequences/new')
  await page.getByRole('form', { name: 'Editor de secuencias' }).waitFor()
  await page.getByRole('button', { name: '+ Añadir un paso' }).waitFor()
  await page.goto('/forms')
  await page.getByRole('heading', { name: 'Formularios de captación' }).waitFor()
  // The command palette offers its actions in Spanish.
  await page.keyboard.press('Control+k')
  await page.getByTestId('palette-input').fill('seguim')
  await page.getByRole('option', { name: /Ir a Seguimientos/ }).waitFor()
  await page.keyboard.press('Escape')

  // After a reload, and on this device's sign-in page once signed out.
  await page.reload()
  await page
    .getByRole('navigation', { name: 'Principal' })
    .getByRole('link', { name: 'Seguimientos' })
    .waitFor()
  await page.getByRole('button', { name: 'Cerrar sesión' }).click()
  await page.getByRole('heading', { name: 'Iniciar sesión' }).waitFor()
  await page.screenshot({ path: `${SHOTS}language-es-sign-in.png` })

  // Back to the browser's language.
  await page.getByLabel('Correo electrónico').fill('lucie@example.com')
  await page.getByLabel('Contraseña').fill('une phrase de passe')
  await page.getByRole('button', { name: 'Iniciar sesión' }).click()
  await page.waitForURL((url) => !url.pathname.startsWith('/login'))
  await page.goto('/account')
  await page.locator('[name="locale"]').selectOption('')
  await page.getByRole('button', { name: 'Guardar idioma' }).click()
  await page.getByRole('heading', { name: 'Compte' }).waitFor()
  assert.equal((await (await page.request.get('/api/v1/me')).json()).user.locale, null)
  await context.close()
})

test('the owner, who chose nothing, still sees English', async () => {
  await owner.page.goto('/follow-ups')
  await owner.page.getByRole('heading', { name: 'Follow-ups' }).waitFor()
})

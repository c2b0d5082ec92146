// @ts-check
// An admin adds a webhook pointing at a small receiver, copies its secret, sends a test event,
// sees a new contact arrive signed, reads the delivery log and turns the webhook off.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { createHmac } from 'node:crypto'
import { launch, SAME_ORIGIN, SHOTS } from './browser.mjs'

/** @type {Awaited<ReturnType<typeof launch>>} */
let ctx
/** @type {{ headers: import('node:http').IncomingHttpHeaders, body: string }[]} */
const received = []
const receiver = createServer((req, res) => {
  let body = ''
  req.on('data', (chunk) => (body += chunk))
  req.on('end', () => {
    received.push({ headers: req.headers, body })
    res.writeHead(200, { 'content-type': 'text/plain' })
    res.end('ok')
  })
})

before(async () => {
  await new Promise((resolve) => receiver.listen(0, '127.0.0.1', () => resolve(undefined)))
  ctx = await launch()
})
after(async () => {
  await ctx?.browser.close()
  receiver.close()
})

/**
 * Checks a delivery as a receiver would (docs/webhooks.md) and returns its body.
 * @param {string} secret
 * @param {{ headers: import('node:http').IncomingHttpHeaders, body: string } | undefined} delivery
 */
function verified(secret, delivery) {
  assert.ok(delivery, 'nothing was received')
  const { headers, body } = delivery
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64')
  const signed = `${headers['webhook-id']}.${headers['webhook-timestamp']}.${body}`
  const expected = `v1,${createHmac('sha256', key).update(signed).digest('base64')}`
  assert.equal(headers['webhook-signature'], expected)
  return JSON.parse(body)
}

test('a webhook is added, tested, receives a new contact signed, and is turned off', async () => {
  const { page } = ctx
  const address = receiver.address()
  assert.ok(address && typeof address === 'object')
  const url = `http://127.0.0.1:${address.port}/rapport`

  await page.goto('/settings')
  const card = page.getByRole('region', { name: 'Webhooks' })
  await card.getByRole('button', { name: 'Add a webhook' }).click()
  await card.locator('[name="webhook_url"]').fill(url)
  await card.locator('[name="webhook_description"]').fill('Invoicing sync')
  await card.getByRole('checkbox', { name: 'contact.created' }).check()
  await page.screenshot({ path: `${SHOTS}webhooks-new.png`, fullPage: true })
  await card.getByRole('button', { name: 'Add webhook' }).click()
  const secret = (await card.getByTestId('webhook-secret').textContent())?.trim() ?? ''
  assert.match(secret, /^whsec_/)
  await card.getByRole('button', { name: 'Done' }).click()

  await card.getByRole('button', { name: 'Send test event' }).click()
  await page
    .getByRole('status')
    .filter({ hasText: /Test event delivered \(200/ })
    .waitFor()
  assert.equal(verified(secret, received[0]).type, 'webhook.test')

  const res = await page.request.post('/api/v1/contacts', {
    data: { first_name: 'Hook', last_name: 'Receiver' },
    headers: SAME_ORIGIN,
  })
  assert.equal(res.status(), 201)
  const deadline = Date.now() + 10_000
  while (received.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
  const event = verified(secret, received[1])
  assert.equal(event.type, 'contact.created')
  assert.equal(event.data.object.display_name, 'Hook Receiver')
  assert.equal(event.actor.name, 'Erin Example')

  await card.getByRole('button', { name: 'Deliveries' }).click()
  const log = card.getByRole('table', { name: 'Deliveries' })
  await log.getByText('contact.created', { exact: true }).waitFor()
  assert.equal(await log.getByText(/^\s*Delivered/).count(), 2)
  await page.screenshot({ path: `${SHOTS}webhooks-log.png`, fullPage: true })

  await card.getByRole('button', { name: 'Turn off' }).click()
  await page.getByRole('status').filter({ hasText: 'Webhook turned off' }).waitFor()
  await card.getByText('Off', { exact: true }).waitFor()
  const hooks = await (await page.request.get('/api/v1/webhooks')).json()
  assert.equal(hooks.items[0].enabled, false)
})

// The same integer arithmetic as the server (quantities in thousandths, rates in basis points,
// half away from zero), so the editor's live totals match the saved proposal to the cent.

function divRound(numerator: number, denominator: number): number {
  const q = numerator / denominator
  return Math.sign(q) * Math.round(Math.abs(q) + Number.EPSILON * Math.abs(q))
}

export interface LineInput {
  quantity: number
  unitPriceMinor: number
  discountPercent: number
}

export function lineAmounts(l: LineInput): { amount: number; discount: number; total: number } {
  const qtyMilli = Math.round(l.quantity * 1000)
  const bp = Math.round(l.discountPercent * 100)
  const amount = divRound(qtyMilli * l.unitPriceMinor, 1000)
  const discount = divRound(amount * bp, 10000)
  return { amount, discount, total: amount - discount }
}

export function proposalTotals(lines: LineInput[], taxPercent: number) {
  let subtotal = 0
  let discount = 0
  for (const l of lines) {
    const a = lineAmounts(l)
    subtotal += a.amount
    discount += a.discount
  }
  const net = subtotal - discount
  const tax = divRound(net * Math.round(taxPercent * 100), 10000)
  return { subtotal, discount, net, tax, total: net + tax }
}

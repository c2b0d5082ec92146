import { describe, expect, it } from 'vitest'
import { lineAmounts, proposalTotals } from './proposalTotals'

describe('proposal totals', () => {
  it('matches the server on lines', () => {
    expect(lineAmounts({ quantity: 12.5, unitPriceMinor: 9000, discountPercent: 10 })).toEqual({
      amount: 112500,
      discount: 11250,
      total: 101250,
    })
    expect(lineAmounts({ quantity: 1, unitPriceMinor: 5, discountPercent: 10 })).toEqual({
      amount: 5,
      discount: 1,
      total: 4,
    })
    expect(lineAmounts({ quantity: 0.333, unitPriceMinor: 100, discountPercent: 1.5 }).total).toBe(33)
  })

  it('taxes the net after discounts', () => {
    const t = proposalTotals(
      [
        { quantity: 1, unitPriceMinor: 150000, discountPercent: 0 },
        { quantity: 12.5, unitPriceMinor: 9000, discountPercent: 10 },
      ],
      20,
    )
    expect(t).toEqual({ subtotal: 262500, discount: 11250, net: 251250, tax: 50250, total: 301500 })
    expect(proposalTotals([], 20).total).toBe(0)
  })
})

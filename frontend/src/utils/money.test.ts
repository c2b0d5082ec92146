import { describe, expect, it } from 'vitest'
import { formatMoney, minorDigits, parseMoney, toAmountInput } from './money'

describe('money', () => {
  it('knows minor units', () => {
    expect(minorDigits('EUR')).toBe(2)
    expect(minorDigits('JPY')).toBe(0)
    expect(minorDigits('KWD')).toBe(3)
  })

  it('formats minor units for people', () => {
    expect(formatMoney(1234567, 'EUR', { locale: 'en-US' })).toBe('€12,345.67')
    expect(formatMoney(1500, 'JPY', { locale: 'en-US' })).toBe('¥1,500')
    expect(formatMoney(1234567, 'USD', { locale: 'en-US', compact: true })).toBe('$12,346')
    expect(formatMoney(null, 'EUR')).toBe('')
  })

  it('parses what people type', () => {
    expect(parseMoney('1200', 'EUR')).toBe(120000)
    expect(parseMoney('1,200.50', 'EUR')).toBe(120050)
    expect(parseMoney('1.200,50', 'EUR')).toBe(120050)
    expect(parseMoney('1200,5', 'EUR')).toBe(120050)
    expect(parseMoney('1 200', 'EUR')).toBe(120000)
    expect(parseMoney('1,200', 'EUR')).toBe(120000)
    expect(parseMoney('1.5', 'EUR')).toBe(150)
    expect(parseMoney('1,000,000', 'USD')).toBe(100000000)
    expect(parseMoney('1500', 'JPY')).toBe(1500)
    expect(parseMoney('abc', 'EUR')).toBeNull()
    expect(parseMoney('', 'EUR')).toBeNull()
  })

  it('round-trips through form inputs', () => {
    expect(toAmountInput(120050, 'EUR')).toBe('1200.50')
    expect(parseMoney(toAmountInput(120050, 'EUR'), 'EUR')).toBe(120050)
  })
})

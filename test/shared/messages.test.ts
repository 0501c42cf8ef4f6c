// The message catalogue: every sentence the till writes exists in English and Simplified Chinese with the same
// placeholders, amounts are formatted from minor units in the UI language, and refusals carry id and values.
import { describe, expect, it } from 'vitest'
import { formatMessage, MESSAGES, type MessageId } from '../../src/shared/messages'
import { messageOf, refuse } from '../../src/shared/result'

const placeholders = (template: string) => [...template.matchAll(/\{(\w+(?::money)?)\}/g)].map((m) => m[1]).sort()

describe('message catalogue', () => {
  it('every message has en and zh-CN with the same placeholders', () => {
    for (const [id, templates] of Object.entries(MESSAGES)) {
      expect(templates.en.trim(), id).not.toBe('')
      expect(templates['zh-CN'].trim(), id).not.toBe('')
      expect(placeholders(templates['zh-CN']), id).toEqual(placeholders(templates.en))
    }
  })

  it('words amounts from minor units in the store currency, per UI language, never showing raw minor units', () => {
    const values = { receivedMinor: 1000, dueMinor: 2230, currency: 'USD' }
    expect(formatMessage('en', 'sale.cash-below-due', values)).toBe('$10.00 is less than the $22.30 due. Confirm to take it as part payment.')
    expect(formatMessage('zh-CN', 'sale.cash-below-due', values)).toBe('US$10.00 少于待付的 US$22.30。确认后作为部分付款收取。')
    expect(formatMessage('en', 'sale.not-paid', { dueMinor: 1500, currency: 'JPY' })).toBe('The sale is not fully paid: ¥1,500 still due.')
    expect(formatMessage('en', 'barcode.unknown', {})).toBe('Unknown barcode {code}: no product in the catalog has it.')
  })

  it('a refusal carries its id and values, and the English wording as its message', () => {
    const e = refuse('unknown-barcode', 'barcode.unknown', { code: '4006381333931' })
    expect(e).toMatchObject({ code: 'unknown-barcode', key: 'barcode.unknown', detail: { code: '4006381333931' }, message: 'Unknown barcode 4006381333931: no product in the catalog has it.' })
    expect(messageOf({ code: 'unknown-barcode', message: e.message, detail: e.detail, key: e.key })).toEqual({ key: 'barcode.unknown', values: { code: '4006381333931' } })
    expect(messageOf({ code: 'conflict', message: 'an older refusal without an id' })).toBeNull()
    expect(messageOf({ code: 'conflict', message: 'x', key: 'no.such.message' as MessageId })).toBeNull()
  })
})

// Wedge detection with one tolerated slow gap (issue [R] point 8) and key stamps that go backwards.
import { describe, expect, it } from 'vitest'
import { WedgeDetector } from '../../src/shared/wedge'

/** Feeds `code` at 5 ms a key, with the gaps given by index (gap before key i), then Enter 5 ms later. */
function scan(detector: WedgeDetector, code: string, gaps: Record<number, number> = {}, start = 1000) {
  let at = start
  for (const [i, ch] of [...code].entries()) {
    at += gaps[i] ?? 5
    detector.feed(ch, at)
  }
  return detector.feed('Enter', at + (gaps[code.length] ?? 5))
}

describe('wedge detection with a slow-gap allowance', () => {
  const options = { maxGapMs: 30, minLength: 6, slowGapMs: 100 }

  it('one slow gap inside a real scan (a USB poll, a busy page) still reads the whole code', () => {
    expect(scan(new WedgeDetector(options), '5901234123013', { 7: 80 })).toEqual({ kind: 'scan', code: '5901234123013' })
    expect(scan(new WedgeDetector(options), '5901234123013', { 13: 90 })).toEqual({ kind: 'scan', code: '5901234123013' })
  })

  it('a second slow gap, or one beyond the allowance, breaks the burst as before', () => {
    expect(scan(new WedgeDetector(options), '5901234123013', { 3: 80, 9: 80 })).not.toEqual({ kind: 'scan', code: '5901234123013' })
    expect(scan(new WedgeDetector(options), '5901234123013', { 7: 150 })).toEqual({ kind: 'scan', code: '123013' }) // the tail is a burst of its own
    expect(scan(new WedgeDetector({ ...options, slowGapMs: 0 }), '5901234123013', { 7: 80 })).toEqual({ kind: 'scan', code: '123013' })
  })

  it('each burst gets its own allowance, and typing at 60 ms a key is never a scan', () => {
    const detector = new WedgeDetector(options)
    expect(scan(detector, '5901234123013', { 5: 80 })).toMatchObject({ kind: 'scan' })
    expect(scan(detector, '6901234567014', { 5: 80 }, 5000)).toEqual({ kind: 'scan', code: '6901234567014' })
    const gaps = Object.fromEntries([...Array(14).keys()].map((i) => [i, 60]))
    expect(scan(detector, '5901234123013', gaps, 9000)).toEqual({ kind: 'enter' })
  })

  it('a key typed by a person just before a scan is not glued to its front by the allowance', () => {
    const detector = new WedgeDetector(options)
    detector.feed('s', 1000)
    expect(scan(detector, '5901234123013', { 0: 60 }, 1000)).toEqual({ kind: 'scan', code: '5901234123013' })
    // Nor are two slow ones: the allowance needs scanner speed (two fast gaps) first.
    detector.feed('i', 2000)
    detector.feed('s', 2040)
    expect(scan(detector, '5901234123013', { 0: 60 }, 2040)).toEqual({ kind: 'scan', code: '5901234123013' })
  })

  it('a stamp earlier than the last one counts as no gap (events stamped by another clock after a focus change)', () => {
    const detector = new WedgeDetector(options)
    detector.feed('5', 1000)
    detector.feed('9', 1005)
    detector.feed('0', 990)
    for (const [i, ch] of [...'1234123013'].entries()) detector.feed(ch, 995 + i * 5)
    expect(detector.feed('Enter', 1045)).toEqual({ kind: 'scan', code: '5901234123013' })
  })
})

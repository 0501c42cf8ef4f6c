import { describe, expect, it } from 'vitest'
import { WedgeDetector } from '../../src/shared/wedge'

function feed(detector: WedgeDetector, text: string, gapMs: number, start = 1000) {
  let at = start
  const results = []
  for (const ch of text) {
    results.push(detector.feed(ch, at))
    at += gapMs
  }
  results.push(detector.feed('Enter', at))
  return results.at(-1)
}

describe('wedge detection', () => {
  const options = { maxGapMs: 30, minLength: 6 }

  it('a fast burst ended by Enter is a scan', () => {
    expect(feed(new WedgeDetector(options), '5901234123013', 5)).toEqual({ kind: 'scan', code: '5901234123013' })
  })

  it('typing at human speed is not a scan', () => {
    expect(feed(new WedgeDetector(options), '5901234123013', 120)).toEqual({ kind: 'enter' })
  })

  it('short bursts (below minLength) are not scans', () => {
    expect(feed(new WedgeDetector(options), '12345', 5)).toEqual({ kind: 'enter' })
  })

  it('a slow Enter after a fast burst is not a scan', () => {
    const d = new WedgeDetector(options)
    let at = 0
    for (const ch of '5901234123013') d.feed(ch, (at += 5))
    expect(d.feed('Enter', at + 200)).toEqual({ kind: 'enter' })
  })

  it('human typing before a scan does not leak into it', () => {
    const d = new WedgeDetector(options)
    d.feed('x', 0)
    d.feed('y', 150)
    expect(feed(d, '5901234123013', 5, 1000)).toEqual({ kind: 'scan', code: '5901234123013' })
  })

  it('Shift between characters does not break a burst; arrows do', () => {
    const d = new WedgeDetector(options)
    let at = 0
    for (const ch of 'ABC123') {
      d.feed('Shift', (at += 2))
      d.feed(ch, (at += 3))
    }
    expect(d.feed('Enter', at + 5)).toEqual({ kind: 'scan', code: 'ABC123' })
    for (const ch of 'ABC') d.feed(ch, (at += 5))
    d.feed('ArrowLeft', (at += 5))
    for (const ch of '123') d.feed(ch, (at += 5))
    expect(d.feed('Enter', at + 5)).toEqual({ kind: 'enter' })
  })
})

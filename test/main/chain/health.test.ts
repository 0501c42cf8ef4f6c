// Chain health from what the watcher saw: the thresholds per chain and the status rules (src/main/chain/health.ts).
import { describe, expect, it } from 'vitest'
import { healthStatus, healthThresholds, healthView, type HealthInputs } from '../../../src/main/chain/health'

const base: HealthInputs = {
  chainId: 8453,
  now: 1_000_000,
  thresholds: healthThresholds(8453, 1000),
  lastSuccessAt: 999_000,
  lastError: null,
  consecutivePollErrors: 0,
  allEndpointsFailing: false,
  bestHead: 100,
  bestHeadTime: 998_000,
  endpoints: [
    { url: 'https://a.example/key123', transport: 'http', consecutiveFailures: 0, retryAt: 0, lastError: null, calls: 5, latencyMs: 40, failureRate: 0, head: 100 },
    { url: 'wss://b.example/v2/secret', transport: 'ws', consecutiveFailures: 0, retryAt: 0, lastError: null, calls: 1, latencyMs: 90, failureRate: 0.25, head: 99 }
  ],
  inUseUrl: 'https://a.example/key123',
  lagToleranceBlocks: 2
}

describe('chain health thresholds', () => {
  it('scale with the block time of each chain', () => {
    expect(healthThresholds(1, 1000)).toEqual({ downAfterMs: 36_000, lagAfterMs: 120_000 }) // Ethereum, 12 s slots
    expect(healthThresholds(8453, 1000)).toEqual({ downAfterMs: 10_000, lagAfterMs: 30_000 }) // Base, 2 s
    expect(healthThresholds(8453, 5000).downAfterMs).toBe(15_000) // a slow poll setting is not an outage
    expect(healthThresholds(31337, 1000).lagAfterMs).toBeNull() // automine: no block rhythm to be late against
  })
})

describe('chain health status', () => {
  it('is unknown before anything finished, down when the first poll failed', () => {
    expect(healthStatus({ ...base, lastSuccessAt: null })).toBe('unknown')
    expect(healthStatus({ ...base, lastSuccessAt: null, lastError: 'refused', consecutivePollErrors: 1 })).toBe('down')
  })

  it('one failed poll is a blip; two with every endpoint failing, or a long silence, is down', () => {
    expect(healthStatus({ ...base, consecutivePollErrors: 1, allEndpointsFailing: true, lastError: 'x' })).toBe('up')
    expect(healthStatus({ ...base, consecutivePollErrors: 2, allEndpointsFailing: true, lastError: 'x' })).toBe('down')
    expect(healthStatus({ ...base, consecutivePollErrors: 3, allEndpointsFailing: false, lastError: 'x' })).toBe('up')
    expect(healthStatus({ ...base, consecutivePollErrors: 1, now: base.lastSuccessAt! + 10_000, lastError: 'x' })).toBe('down')
  })

  it('is lagging when the endpoint in use is behind the best head, or the best head is old', () => {
    expect(healthStatus({ ...base, inUseUrl: base.endpoints[1]!.url })).toBe('up') // 1 block behind: within tolerance
    const behind = { ...base, endpoints: [base.endpoints[0]!, { ...base.endpoints[1]!, head: 90 }], inUseUrl: base.endpoints[1]!.url }
    expect(healthStatus(behind)).toBe('lagging')
    expect(healthStatus({ ...base, bestHeadTime: base.now - 31_000 })).toBe('lagging')
    expect(healthStatus({ ...base, chainId: 31337, thresholds: healthThresholds(31337, 1000), bestHeadTime: base.now - 3_600_000 })).toBe('up')
  })

  it('shows endpoints without paths or keys, with their scores and the one in use', () => {
    const view = healthView(base, 'up', 123)
    expect(view).toMatchObject({ chainName: 'Base', status: 'up', since: null, head: 100, headBlockTime: 998_000, endpoint: 'https://a.example' })
    expect(view.endpoints).toEqual([
      { label: 'https://a.example', transport: 'http', latencyMs: 40, failureRate: 0, head: 100, inUse: true, backoffUntil: null, lastError: null },
      { label: 'wss://b.example', transport: 'ws', latencyMs: 90, failureRate: 0.25, head: 99, inUse: false, backoffUntil: null, lastError: null }
    ])
    expect(healthView(base, 'down', 123)).toMatchObject({ since: 123, endpoint: null })
  })
})

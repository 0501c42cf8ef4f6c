// The hosts turn shipping on from the environment: both variables and an http(s) URL, or it stays off.
import { describe, expect, it } from 'vitest'
import { headOfficeFromEnv } from '../../src/main/services/shipper'

describe('headOfficeFromEnv', () => {
  it('is on only with an http(s) URL and a token', () => {
    expect(headOfficeFromEnv({ STABLETILL_HEAD_OFFICE_URL: 'https://ho.example.test', STABLETILL_HEAD_OFFICE_TOKEN: 'sttill_x' })).toEqual({ url: 'https://ho.example.test', token: 'sttill_x' })
    expect(headOfficeFromEnv({ STABLETILL_HEAD_OFFICE_URL: 'https://ho.example.test' })).toBeNull()
    expect(headOfficeFromEnv({ STABLETILL_HEAD_OFFICE_TOKEN: 'sttill_x' })).toBeNull()
    expect(headOfficeFromEnv({ STABLETILL_HEAD_OFFICE_URL: 'ftp://ho.example.test', STABLETILL_HEAD_OFFICE_TOKEN: 'sttill_x' })).toBeNull()
    expect(headOfficeFromEnv({ STABLETILL_HEAD_OFFICE_URL: 'not a url', STABLETILL_HEAD_OFFICE_TOKEN: 'sttill_x' })).toBeNull()
  })
})

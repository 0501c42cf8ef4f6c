// The store's tax id, typed in the set-up or the back office's Address and receipt form, is printed on every sale
// receipt (many jurisdictions require it on a receipt); a store without one prints no empty "Tax ID" line.
import { afterEach, describe, expect, it } from 'vitest'
import { decodedText, decodeEscPos } from '../../fixtures/escpos-decoder'
import { startTcpPrinter, type TcpPrinterServer } from '../../fixtures/tcp-printer'
import { testTill, type TestTill } from '../../fixtures/till'

let till: TestTill | null = null
let printer: TcpPrinterServer | null = null
afterEach(async () => {
  await till?.cleanup()
  await printer?.close()
  till = printer = null
})

async function printedReceipt(taxId: string): Promise<string> {
  printer = await startTcpPrinter()
  till = testTill({ timeZone: 'UTC' })
  till.app.store.save({ ...till.app.store.settings(), taxId })
  till.app.receipts.save({ name: 'front', profile: { profile: 'epson-tm-80' }, transport: { kind: 'tcp', host: printer.host, port: printer.port }, drawerOnCash: false })
  till.app.sales.scan('5901234123013', 'wedge')
  till.app.sales.tenderCash(till.app.sales.current()!.dueMinor)
  till.app.sales.complete()
  await till.app.receipts.kick()
  return decodedText(decodeEscPos(printer.printed()))
}

describe('the tax id on the receipt', () => {
  it('prints the store tax id under its header', async () => {
    expect(await printedReceipt('EIN 12-3456789')).toContain('Tax ID: EIN 12-3456789')
  })
  it('prints no Tax ID line for a store without one', async () => {
    expect(await printedReceipt('')).not.toContain('Tax ID')
  })
})

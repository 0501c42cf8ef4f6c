// Back office: Catalog (issue [S] point 3). A CSV file is previewed first (every bad row listed with its reason,
// nothing saved), then imported with a manager's PIN; one product is found, edited and saved; the whole catalog
// exports as CSV in the import's own columns.
import { useRef, useState } from 'preact/hooks'
import type { CatalogImportPreview, CatalogProductView } from '../../shared/api/views'
import { isMessageId } from '../../shared/messages'
import { formatMinorPlain } from '../../shared/money'
import { api, say as word, store, t } from '../common/page'
import { askManagerPin } from '../common/ui'
import { OutcomeBox, Panel, useOutcome } from './staff'

export function CatalogSection() {
  const [outcome, say, run] = useOutcome()
  const file = useRef<HTMLInputElement>(null)
  const [text, setText] = useState<string | null>(null)
  const [preview, setPreview] = useState<CatalogImportPreview | null>(null)
  const [download, setDownload] = useState<string | null>(null)

  async function readFile(): Promise<string | null> {
    const chosen = file.current?.files?.[0]
    if (!chosen) {
      say('alert', () => t('bo.catalog.noFile'))
      return null
    }
    const content = await chosen.text()
    setText(content)
    return content
  }

  async function showPreview(): Promise<void> {
    const csv = await readFile()
    if (csv === null) return
    const result = await run(api().call['catalog:import-preview']({ csv }))
    setPreview(result)
    if (result) say('notice', () => t('bo.catalog.summary', { rows: result.rows, fresh: result.newProducts, changed: result.changedProducts, same: result.unchangedProducts, bad: result.badRows.length }))
  }

  async function doImport(skipBadRows: boolean): Promise<void> {
    const csv = text ?? (await readFile())
    if (csv === null) return
    const pin = await askManagerPin(t('bo.catalog.import'))
    if (pin === null) return
    const result = await run(api().call['catalog:import']({ csv, pin, skipBadRows }))
    if (result) {
      setPreview(null)
      say('notice', () => t('bo.catalog.imported', { count: result.imported, seq: result.journalSeq ?? '-' }))
    }
  }

  async function doExport(): Promise<void> {
    const result = await run(api().call['catalog:export']({}))
    if (!result) return
    if (download) URL.revokeObjectURL(download)
    setDownload(URL.createObjectURL(new Blob([result.csv], { type: 'text/csv' })))
    say('notice', () => t('bo.catalog.exported', { count: result.products }))
  }

  return (
    <Panel id="catalog" label={t('bo.catalog')}>
      <p class="bo-muted">{t('bo.catalog.columns')}</p>
      <div class="bo-form">
        <label for="bo-catalog-file">{t('bo.catalog.file')}</label>
        <input id="bo-catalog-file" ref={file} type="file" accept=".csv,text/csv" onChange={() => { setText(null); setPreview(null) }} />
      </div>
      <div class="linebar">
        <button type="button" onClick={() => void showPreview()}>{t('bo.catalog.preview')}</button>
        {preview && preview.badRows.length === 0 ? <button type="button" onClick={() => void doImport(false)}>{t('bo.catalog.import')}</button> : null}
        {preview && preview.badRows.length > 0 && preview.valid > 0 ? <button type="button" onClick={() => void doImport(true)}>{t('bo.catalog.importGood')}</button> : null}
        <button type="button" class="secondary" onClick={() => void doExport()}>{t('bo.catalog.export')}</button>
        {download ? <a href={download} download="catalog.csv">catalog.csv</a> : null}
      </div>
      <OutcomeBox outcome={outcome} />
      {preview && preview.badRows.length > 0 ? (
        <div class="bo-tablewrap">
          <table aria-label={t('bo.catalog.badRows')}>
            <thead>
              <tr>
                <th scope="col">{t('bo.catalog.col.line')}</th>
                <th scope="col">{t('bo.catalog.col.sku')}</th>
                <th scope="col">{t('bo.catalog.col.reason')}</th>
              </tr>
            </thead>
            <tbody>
              {/* Every bad row is listed; a very long list scrolls inside its box. */}
              {preview.badRows.map((row) => (
                <tr key={row.line}>
                  <td>{row.line}</td>
                  <td>{row.sku}</td>
                  <td>{isMessageId(row.reason) ? word(row.reason, row.values) : row.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <ProductEditor />
    </Panel>
  )
}

function ProductEditor() {
  const [outcome, say, run] = useOutcome()
  const [product, setProduct] = useState<CatalogProductView | null>(null)
  const find = useRef<HTMLInputElement>(null)
  const form = useRef<HTMLFormElement>(null)
  const currency = store.value!.currency

  async function load(): Promise<void> {
    const query = find.current?.value.trim() ?? ''
    if (!query) return
    // An id as typed, else the first look-up hit by name or PLU.
    let found = await api().call['catalog:product']({ productId: query })
    if (!found.ok) {
      const hits = await run(api().call['catalog:search']({ query, limit: 1 }))
      const first = hits?.[0]
      if (!first) return
      found = await api().call['catalog:product']({ productId: first.id })
    }
    if (found.ok) setProduct(found.value)
  }

  async function save(): Promise<void> {
    if (!product) return
    const data = new FormData(form.current!)
    const barcodes = String(data.get('barcodes') ?? '')
      .split(/[\s;]+/)
      .filter(Boolean)
      .map((item) => {
        const [code, pack] = item.split('*')
        return { code: code ?? item, packQty: pack ? Number(pack) : 1 }
      })
    const plu = String(data.get('plu') ?? '').trim()
    const pin = await askManagerPin(t('bo.catalog.save'))
    if (pin === null) return
    const saved = await run(
      api().call['catalog:update-product']({
        pin,
        productId: product.id,
        name: String(data.get('name') ?? '').trim(),
        nameZh: String(data.get('nameZh') ?? '').trim() || null,
        price: String(data.get('price') ?? ''),
        taxRateId: String(data.get('tax') ?? '').trim(),
        pricing: data.get('byWeight') ? 'weight' : 'unit',
        plu: plu || null,
        barcodes
      })
    )
    if (saved) {
      setProduct(saved)
      say('notice', () => t('bo.catalog.saved', { name: saved.name }))
    }
  }

  return (
    <>
      <h3>{t('bo.catalog.edit')}</h3>
      <form
        class="bo-form"
        onSubmit={(e) => {
          e.preventDefault()
          void load()
        }}
      >
        <label for="bo-product-find">{t('bo.catalog.find')}</label>
        <input id="bo-product-find" ref={find} autoComplete="off" />
      </form>
      {product ? (
        <form
          key={`${product.id}:${product.priceMinor}:${product.name}`}
          ref={form}
          class="bo-form"
          onSubmit={(e) => {
            e.preventDefault()
            void save()
          }}
        >
          <p>{product.id}</p>
          <label for="bo-product-name">{t('bo.catalog.name')}</label>
          <input id="bo-product-name" name="name" defaultValue={product.name} maxLength={120} />
          <label for="bo-product-name-zh">{t('bo.catalog.nameZh')}</label>
          <input id="bo-product-name-zh" name="nameZh" defaultValue={product.nameZh ?? ''} maxLength={120} />
          <label for="bo-product-price">{t('bo.catalog.price')}</label>
          <input id="bo-product-price" name="price" inputMode="decimal" defaultValue={formatMinorPlain(product.priceMinor, currency)} autoComplete="off" />
          <label for="bo-product-tax">{t('bo.catalog.tax')}</label>
          <input id="bo-product-tax" name="tax" defaultValue={product.taxRateId} autoComplete="off" />
          <label class="bo-check">
            <input type="checkbox" name="byWeight" defaultChecked={product.pricing === 'weight'} /> {t('bo.catalog.byWeight')}
          </label>
          <label for="bo-product-plu">{t('bo.catalog.plu')}</label>
          <input id="bo-product-plu" name="plu" inputMode="numeric" defaultValue={product.plu ?? ''} maxLength={6} autoComplete="off" />
          <label for="bo-product-barcodes">{t('bo.catalog.barcodes')}</label>
          <input id="bo-product-barcodes" name="barcodes" defaultValue={product.barcodes.map((b) => (b.packQty === 1 ? b.code : `${b.code}*${b.packQty}`)).join(' ')} autoComplete="off" />
          <div class="linebar">
            <button type="submit">{t('bo.catalog.save')}</button>
          </div>
        </form>
      ) : null}
      <OutcomeBox outcome={outcome} />
    </>
  )
}

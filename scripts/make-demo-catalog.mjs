// Generates resources/demo-catalog.json: ~50 products with valid EAN-13 codes (GS1 mod-10 check digits),
// weighed items with PLUs for in-store scale labels (prefix 25-29 weight), a price-embedded deli item (prefix 02),
// and a multipack GTIN-14. Run once; the JSON is committed so the demo store is identical on every machine.
import { writeFileSync } from 'node:fs'

function check(digits) {
  let sum = 0
  const rev = digits.split('').reverse()
  rev.forEach((d, i) => (sum += Number(d) * (i % 2 === 0 ? 3 : 1)))
  return String((10 - (sum % 10)) % 10)
}
const ean = (body12) => body12 + check(body12)

const items = [
  ['Sparkling water 500 ml', '气泡水 500毫升', 129, 'food', '501234500001'],
  ['Still water 1.5 l', '矿泉水 1.5升', 149, 'food', '501234500002'],
  ['Orange juice 1 l', '橙汁 1升', 349, 'food', '400638133301'],
  ['Apple juice 1 l', '苹果汁 1升', 329, 'food', '400638133302'],
  ['Cola 330 ml can', '可乐 330毫升', 99, 'std', '590123412301'],
  ['Green tea 500 ml', '绿茶 500毫升', 189, 'food', '690123456701'],
  ['Oolong tea leaves 100 g', '乌龙茶叶 100克', 899, 'food', '690123456702'],
  ['Jasmine rice 2 kg', '茉莉香米 2公斤', 649, 'food', '690123456703'],
  ['Soy sauce 500 ml', '酱油 500毫升', 279, 'food', '690123456704'],
  ['Instant noodles', '方便面', 79, 'food', '690123456705'],
  ['Dumplings frozen 1 kg', '速冻饺子 1公斤', 799, 'food', '690123456706'],
  ['Whole milk 1 l', '全脂牛奶 1升', 189, 'food', '871234567801'],
  ['Greek yogurt 500 g', '希腊酸奶 500克', 429, 'food', '871234567802'],
  ['Butter 250 g', '黄油 250克', 399, 'food', '871234567803'],
  ['Free-range eggs x12', '散养鸡蛋 12个', 549, 'food', '871234567804'],
  ['Cheddar 200 g', '切达奶酪 200克', 479, 'food', '871234567805'],
  ['Sourdough loaf', '酸面包', 499, 'food', '376123450001'],
  ['Croissant', '牛角包', 189, 'food', '376123450002'],
  ['Baguette', '法棍', 249, 'food', '376123450003'],
  ['Espresso beans 250 g', '意式咖啡豆 250克', 1199, 'food', '800123456701'],
  ['Ground coffee 500 g', '咖啡粉 500克', 1399, 'food', '800123456702'],
  ['Dark chocolate 100 g', '黑巧克力 100克', 299, 'std', '761234567801'],
  ['Milk chocolate 100 g', '牛奶巧克力 100克', 279, 'std', '761234567802'],
  ['Potato chips 150 g', '薯片 150克', 249, 'std', '505123456701'],
  ['Salted peanuts 200 g', '咸花生 200克', 229, 'std', '505123456702'],
  ['Pasta 500 g', '意大利面 500克', 189, 'food', '800123456703'],
  ['Tomato passata 700 g', '番茄酱 700克', 219, 'food', '800123456704'],
  ['Olive oil 500 ml', '橄榄油 500毫升', 899, 'food', '841234567801'],
  ['Sea salt 250 g', '海盐 250克', 149, 'food', '841234567802'],
  ['Black pepper 50 g', '黑胡椒 50克', 319, 'food', '841234567803'],
  ['Toothpaste 75 ml', '牙膏 75毫升', 349, 'std', '400638133303'],
  ['Toothbrush', '牙刷', 299, 'std', '400638133304'],
  ['Shampoo 250 ml', '洗发水 250毫升', 599, 'std', '400638133305'],
  ['Hand soap 300 ml', '洗手液 300毫升', 399, 'std', '400638133306'],
  ['Dish soap 500 ml', '洗洁精 500毫升', 279, 'std', '400638133307'],
  ['Paper towels x2', '厨房纸 2卷', 449, 'std', '590123412302'],
  ['Toilet paper x9', '卫生纸 9卷', 799, 'std', '590123412303'],
  ['AA batteries x4', '5号电池 4节', 699, 'std', '490123456701'],
  ['USB-C cable 1 m', 'USB-C 数据线 1米', 1299, 'std', '490123456702'],
  ['Notebook A5', '笔记本 A5', 349, 'std', '490123456703'],
  ['Ballpoint pens x3', '圆珠笔 3支', 249, 'std', '490123456704'],
  ['Newspaper', '报纸', 250, 'zero', '977123456700'],
  ['Postage stamp', '邮票', 73, 'zero', '200000000731'.replace(/^2/, '4')]
]

const products = items.map(([name, nameZh, priceMinor, taxRateId, body], i) => ({
  id: `P${String(i + 1).padStart(3, '0')}`,
  name,
  nameZh,
  pricing: 'unit',
  priceMinor,
  taxRateId,
  barcodes: [{ code: ean(body), packQty: 1 }]
}))
// A six-pack of the sparkling water: its own EAN-13 on the shrink wrap adds six bottles.
products[0].barcodes.push({ code: ean('501234500010'), packQty: 6 })
// UPC-A code (12 digits) stored in its EAN-13 form with a leading 0.
products.push({ id: 'P044', name: 'Peanut butter 16 oz', nameZh: '花生酱 16盎司', pricing: 'unit', priceMinor: 459, taxRateId: 'food', barcodes: [{ code: '0' + ean('03600029145').slice(0, 12), packQty: 1 }] })

// Weighed goods: price per kilogram; the scale prints 25-29 labels carrying the PLU and the weight in grams.
const weighed = [
  ['Bananas', '香蕉', 229, '04011'],
  ['Apples Fuji', '富士苹果', 499, '04131'],
  ['Tomatoes', '西红柿', 389, '04664'],
  ['Carrots', '胡萝卜', 199, '04562'],
  ['Deli ham', '熟火腿', 1890, '10002'],
  ['Gouda by weight', '高达奶酪（称重）', 2190, '10003']
]
weighed.forEach(([name, nameZh, priceMinor, plu], i) =>
  products.push({ id: `W${String(i + 1).padStart(3, '0')}`, name, nameZh, pricing: 'weight', priceMinor, taxRateId: 'food', plu, barcodes: [] })
)
// Price-embedded in-store label (prefix 02 / 20-24): the label carries the price, the product its tax rate.
products.push({ id: 'D001', name: 'Deli salad (price label)', nameZh: '熟食沙拉（标价）', pricing: 'unit', priceMinor: 0, taxRateId: 'food', plu: '20001', barcodes: [] })

const catalog = {
  taxRates: [
    { id: 'std', name: 'Sales tax', ratePpm: 82500 },
    { id: 'food', name: 'Groceries', ratePpm: 22500 },
    { id: 'zero', name: 'Exempt', ratePpm: 0 }
  ],
  products
}
writeFileSync(new URL('../resources/demo-catalog.json', import.meta.url), JSON.stringify(catalog, null, 2) + '\n')
console.log(`${products.length} products`)

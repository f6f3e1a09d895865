import type { Faker } from '@faker-js/faker';
import type { ProductImage, ProductOption } from './product.entity.ts';
import { DEFAULT_VARIANT_TITLE, optionValue, type SelectedOption } from './product-variant.entity.ts';

/** A seeded variant, as product_variant stores it (prices in minor units). */
export interface SeedVariant {
  id: string;
  sku: string;
  title: string;
  selectedOptions: SelectedOption[];
  /** "Size=M" for each option, sorted (the column the option filter and uniqueness use). */
  optionValues: string[];
  priceAmount: number;
  compareAtAmount: number | null;
  image: ProductImage | null;
  position: number;
  onHand: number;
}

/** One option a product line is sold in. */
interface OptionSpec {
  name: string;
  /** The scale (sizes, capacities) or palette, in display order. */
  values: string[];
  /** How many of the values one product has, [min, max]. */
  count: [number, number];
  /** A scale: a product has a run of neighbouring values (S–XL); a palette: any of them. */
  scale?: boolean;
  /** Whole units each value adds to the price, by index in `values` (bigger sizes and capacities cost more). */
  surcharge?: number[];
}

const APPAREL_SIZES: OptionSpec = {
  name: 'Size',
  values: ['XS', 'S', 'M', 'L', 'XL', 'XXL'],
  count: [5, 6],
  scale: true,
  surcharge: [0, 0, 0, 0, 2, 4],
};
const colors = (values: string[], count: [number, number]): OptionSpec => ({ name: 'Color', values, count });
const scale = (name: string, values: string[], count: [number, number], surcharge?: number[]): OptionSpec => ({
  name,
  values,
  count,
  scale: true,
  ...(surcharge && { surcharge }),
});

/**
 * Product lines (by noun) sold in options: apparel in sizes and colours, shoes in sizes, electronics
 * in storage or colour, a few others where shoppers expect a choice. Every other line (books, toys …)
 * is sold as one default variant.
 */
export const LINE_OPTIONS: Record<string, OptionSpec[]> = {
  'T-Shirt': [APPAREL_SIZES, colors(['Black', 'White', 'Navy', 'Heather Grey', 'Olive', 'Burgundy'], [3, 6])],
  Hoodie: [APPAREL_SIZES, colors(['Black', 'Charcoal', 'Navy', 'Forest', 'Oatmeal'], [3, 5])],
  'Denim Jacket': [APPAREL_SIZES, colors(['Light Wash', 'Mid Wash', 'Dark Wash', 'Black'], [2, 4])],
  'Rain Jacket': [APPAREL_SIZES, colors(['Yellow', 'Navy', 'Black', 'Red'], [2, 4])],
  Sweater: [APPAREL_SIZES, colors(['Oatmeal', 'Charcoal', 'Camel', 'Navy', 'Burgundy'], [3, 5])],
  'Chino Pants': [
    scale('Waist', ['28', '30', '32', '34', '36', '38', '40'], [5, 7], [0, 0, 0, 0, 0, 2, 2]),
    colors(['Khaki', 'Navy', 'Olive', 'Stone'], [2, 4]),
  ],
  Socks: [scale('Size', ['S', 'M', 'L', 'XL'], [3, 4])],
  'Running Shoes': [scale('Size', ['6', '6.5', '7', '7.5', '8', '8.5', '9', '9.5', '10', '10.5', '11', '11.5', '12', '13'], [9, 14])],
  'External SSD': [scale('Capacity', ['500GB', '1TB', '2TB', '4TB'], [2, 4], [0, 40, 110, 260])],
  'Wireless Mouse': [colors(['Black', 'White', 'Graphite', 'Rose'], [2, 4])],
  'Mechanical Keyboard': [{ name: 'Switches', values: ['Red Linear', 'Brown Tactile', 'Blue Clicky'], count: [2, 3] }],
  'Over-Ear Headphones': [colors(['Black', 'Silver', 'Midnight Blue', 'Sand'], [3, 4])],
  Earbuds: [colors(['Black', 'White', 'Sage', 'Lilac'], [3, 4])],
  'Bluetooth Speaker': [colors(['Black', 'Coral', 'Teal', 'Stone'], [3, 4])],
  'Yoga Mat': [colors(['Sage', 'Plum', 'Charcoal', 'Ocean', 'Sand'], [3, 5])],
  Basketball: [scale('Size', ['Size 5', 'Size 6', 'Size 7'], [2, 3])],
  'Tennis Racket': [scale('Grip Size', ['4 1/8', '4 1/4', '4 3/8', '4 1/2'], [3, 4])],
  Skillet: [scale('Size', ['8-inch', '10-inch', '12-inch'], [2, 3], [0, 10, 20])],
  'French Press': [scale('Size', ['3-Cup', '8-Cup', '12-Cup'], [2, 3], [0, 6, 12])],
  'Bath Towel Set': [colors(['White', 'Stone', 'Sage', 'Navy', 'Blush'], [3, 5])],
  'Insulated Water Bottle': [colors(['Black', 'Alpine White', 'Forest', 'Coral', 'Glacier Blue'], [3, 5])],
  'Hiking Backpack': [colors(['Graphite', 'Olive', 'Rust'], [2, 3])],
  'Sleeping Bag': [scale('Length', ['Regular', 'Long'], [2, 2], [0, 20])],
  Shampoo: [scale('Size', ['8 oz', '16 oz', '32 oz'], [2, 3], [0, 6, 14])],
  Moisturizer: [scale('Size', ['1.7 oz', '3.4 oz'], [2, 2], [0, 12])],
  'Hair Dryer': [colors(['Black', 'White', 'Rose Gold'], [2, 3])],
  'Garden Gloves': [scale('Size', ['S', 'M', 'L', 'XL'], [3, 4])],
};

/** Units on hand: about 5% out of stock, 10% low (1–5), the rest between `min` and `max`. */
export function stockLevel(faker: Faker, min: number, max: number): number {
  const roll = faker.number.float({ min: 0, max: 1 });
  return roll < 0.05 ? 0 : roll < 0.15 ? faker.number.int({ min: 1, max: 5 }) : faker.number.int({ min, max });
}

/** A product without options: one "Default Title" variant with the product's id, SKU, price and stock. */
export function defaultVariant(product: { id: string; sku: string; priceAmount: number; onHand: number }): SeedVariant {
  const { id, sku, priceAmount, onHand } = product;
  return {
    id,
    sku,
    title: DEFAULT_VARIANT_TITLE,
    selectedOptions: [],
    optionValues: [],
    priceAmount,
    compareAtAmount: null,
    image: null,
    position: 0,
    onHand,
  };
}

/** Indices of the values one product has: a run of a scale, or a pick from a palette (kept in palette order). */
function pickValues(faker: Faker, spec: OptionSpec): number[] {
  const n = faker.number.int({ min: spec.count[0], max: Math.min(spec.count[1], spec.values.length) });
  if (spec.scale) {
    const start = faker.number.int({ max: spec.values.length - n });
    return Array.from({ length: n }, (_, i) => start + i);
  }
  return faker.helpers.arrayElements([...spec.values.keys()], n).sort((a, b) => a - b);
}

/** "M", "Heather Grey" → "M", "HEATHER-GREY": a SKU part. */
const skuPart = (value: string) =>
  value
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/**
 * A product's options and variants: every combination of its values in option order (S / Black,
 * S / White, M / Black …), except an occasional one not made; prices from `basePrice` plus the
 * values' surcharges; about one product in seven on sale (a compare-at price on every variant).
 */
export function variantsFor(
  faker: Faker,
  specs: OptionSpec[],
  product: { sku: string; name: string; basePrice: number },
): { options: ProductOption[]; variants: SeedVariant[] } {
  const picked = specs.map((spec) => ({ spec, indices: pickValues(faker, spec) }));
  const options = picked.map(({ spec, indices }) => ({ name: spec.name, values: indices.map((i) => spec.values[i]!) }));
  let combinations: Array<Array<{ spec: OptionSpec; index: number }>> = [[]];
  for (const { spec, indices } of picked) combinations = combinations.flatMap((combo) => indices.map((index) => [...combo, { spec, index }]));
  const onSale = faker.number.float() < 0.15;
  const variants: SeedVariant[] = [];
  for (const [k, combo] of combinations.entries()) {
    // A product with many combinations may not make one or two (never the first: it keeps at least one variant).
    if (k > 0 && combinations.length >= 6 && faker.number.float() < 0.06) continue;
    const selectedOptions = combo.map(({ spec, index }) => ({ name: spec.name, value: spec.values[index]! }));
    const priceAmount = product.basePrice + combo.reduce((sum, { spec, index }) => sum + (spec.surcharge?.[index] ?? 0) * 100, 0);
    const sku = [product.sku, ...selectedOptions.map((o) => skuPart(o.value))].join('-');
    const color = selectedOptions.find((o) => o.name === 'Color');
    variants.push({
      id: faker.string.uuid(),
      sku,
      title: selectedOptions.map((o) => o.value).join(' / '),
      selectedOptions,
      optionValues: selectedOptions.map((o) => optionValue(o.name, o.value)).sort(),
      priceAmount,
      // About a quarter off, the higher price shown struck through.
      compareAtAmount: onSale ? Math.ceil((priceAmount * 1.3) / 100) * 100 - 1 : null,
      image: color
        ? { url: `https://picsum.photos/seed/${product.sku}-${skuPart(color.value)}/800/800`, altText: `${product.name}, ${color.value}` }
        : null,
      position: variants.length,
      onHand: stockLevel(faker, 5, 120),
    });
  }
  return { options, variants };
}

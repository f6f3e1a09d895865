import type { Faker } from '@faker-js/faker';
import type { CategorySpec } from './seed-lines.ts';

/**
 * The demo catalog's category tree for seed-data.ts: departments over CATALOG's ten categories, and
 * under each category a subcategory per product line (lines that shop alike share one: earbuds and
 * over-ear headphones are both "Headphones & Earbuds"). Products sit in their line's subcategory.
 */

export interface SeedCategory {
  id: string;
  slug: string;
  name: string;
  /** null: a department (top level). */
  parentId: string | null;
  /** Ids from the department down to this category ("/a/b/c/"), as category.path stores it. */
  path: string;
}

export const slugify = (text: string) =>
  text
    .toLowerCase()
    .replace(/&/g, 'and')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/** The top level: each department and the CATALOG categories (by name) under it. */
export const DEPARTMENTS: Array<{ name: string; categories: string[] }> = [
  { name: 'Electronics', categories: ['Audio', 'Computers'] },
  { name: 'Home & Garden', categories: ['Home & Kitchen', 'Garden'] },
  { name: 'Sports & Outdoors', categories: ['Sports', 'Outdoors'] },
  { name: 'Fashion & Beauty', categories: ['Clothing', 'Beauty'] },
  { name: 'Books & Toys', categories: ['Books', 'Toys & Games'] },
];

/** Per CATALOG category (by name), the subcategory of each product line (by noun). */
export const SUBCATEGORIES: Record<string, Record<string, string>> = {
  Audio: {
    'Over-Ear Headphones': 'Headphones & Earbuds',
    Earbuds: 'Headphones & Earbuds',
    'Bluetooth Speaker': 'Speakers',
    'Bookshelf Speakers': 'Speakers',
    Soundbar: 'Home Theater',
    Turntable: 'Hi-Fi & Turntables',
    'Stereo Amplifier': 'Hi-Fi & Turntables',
    'USB Microphone': 'Microphones',
  },
  Computers: {
    'Wireless Mouse': 'Mice',
    'Mechanical Keyboard': 'Keyboards',
    Monitor: 'Monitors',
    'Laptop Stand': 'Laptop Accessories',
    'USB-C Hub': 'Laptop Accessories',
    'External SSD': 'Storage',
    Webcam: 'Webcams',
    'Laptop Backpack': 'Laptop Bags',
  },
  'Home & Kitchen': {
    "Chef's Knife": 'Knives & Cutting Boards',
    'Cutting Board': 'Knives & Cutting Boards',
    Skillet: 'Cookware',
    'Coffee Grinder': 'Coffee & Tea',
    'French Press': 'Coffee & Tea',
    'Stand Mixer': 'Small Appliances',
    'Air Fryer': 'Small Appliances',
    'Bath Towel Set': 'Bath',
  },
  Outdoors: {
    'Camping Tent': 'Tents',
    'Sleeping Bag': 'Sleeping Bags',
    Headlamp: 'Headlamps',
    'Hiking Backpack': 'Backpacks',
    'Water Filter': 'Hydration',
    'Insulated Water Bottle': 'Hydration',
    'Camp Stove': 'Camp Kitchen',
    'Trekking Poles': 'Trekking Poles',
  },
  Books: {
    'Sourdough Baking': 'Cookbooks',
    'Bird Watching': 'Nature & Gardening',
    'Urban Gardening': 'Nature & Gardening',
    'Home Woodworking': 'Crafts & Hobbies',
    'Watercolor Painting': 'Crafts & Hobbies',
    'Python Programming': 'Computers & Technology',
    'Personal Finance': 'Business & Money',
  },
  'Toys & Games': {
    'Building Blocks Set': 'Building Toys',
    'Board Game': 'Games',
    'Card Game': 'Games',
    'Jigsaw Puzzle': 'Puzzles',
    'Remote Control Car': 'Vehicles & Trains',
    'Wooden Train Set': 'Vehicles & Trains',
    'Plush Bear': 'Stuffed Animals',
  },
  Clothing: {
    'T-Shirt': 'T-Shirts',
    Hoodie: 'Hoodies',
    'Denim Jacket': 'Jackets & Coats',
    'Rain Jacket': 'Jackets & Coats',
    'Chino Pants': 'Pants',
    Sweater: 'Sweaters',
    Socks: 'Socks',
  },
  Sports: {
    'Yoga Mat': 'Yoga & Recovery',
    'Foam Roller': 'Yoga & Recovery',
    Dumbbells: 'Fitness Equipment',
    'Resistance Band Set': 'Fitness Equipment',
    'Jump Rope': 'Fitness Equipment',
    'Running Shoes': 'Running',
    Basketball: 'Team Sports',
    'Tennis Racket': 'Racket Sports',
  },
  Beauty: {
    'Facial Cleanser': 'Skin Care',
    Moisturizer: 'Skin Care',
    'Vitamin C Serum': 'Skin Care',
    'Hair Dryer': 'Hair Care',
    Shampoo: 'Hair Care',
    'Electric Toothbrush': 'Oral Care',
    'Lip Balm Set': 'Lip Care',
  },
  Garden: {
    'Garden Hose': 'Watering',
    'Watering Can': 'Watering',
    'Pruning Shears': 'Garden Tools',
    'Garden Gloves': 'Garden Tools',
    'Raised Garden Bed': 'Raised Beds & Composting',
    'Compost Bin': 'Raised Beds & Composting',
    'Bird Feeder': 'Bird Feeders',
    'Solar Path Lights': 'Outdoor Lighting',
  },
};

export interface CategoryTree {
  /** The `catalog` categories first (same order), then departments, then subcategories. */
  categories: SeedCategory[];
  /** Per catalog category (its index), the category id of each product line (the line's index). */
  lineCategoryIds: string[][];
}

/**
 * Hangs `catalog` (CATALOG's categories with their ids and slugs, in CATALOG order) under
 * departments and adds the line subcategories. New ids come from `faker` (a stream of its own),
 * departments first, then subcategories in catalog order. A subcategory whose slug is taken is
 * prefixed with its category's ("books-games"). A line without a subcategory stays in its category.
 */
export function categoryTree(
  faker: Faker,
  specs: readonly CategorySpec[],
  catalog: ReadonlyArray<Pick<SeedCategory, 'id' | 'slug' | 'name'>>,
  departments = DEPARTMENTS,
  subcategories = SUBCATEGORIES,
): CategoryTree {
  const taken = new Set(catalog.map((c) => c.slug));
  const uniqueSlug = (name: string, prefix: string) => {
    const slug = taken.has(slugify(name)) ? `${prefix}-${slugify(name)}` : slugify(name);
    taken.add(slug);
    return slug;
  };
  const parentOf = new Map<string, SeedCategory>();
  const tops: SeedCategory[] = departments.map(({ name, categories }) => {
    const id = faker.string.uuid();
    const department = { id, slug: uniqueSlug(name, 'department'), name, parentId: null, path: `/${id}/` };
    for (const category of categories) parentOf.set(category, department);
    return department;
  });
  const middle: SeedCategory[] = catalog.map((c) => {
    const parent = parentOf.get(c.name);
    return { ...c, parentId: parent?.id ?? null, path: `${parent?.path ?? '/'}${c.id}/` };
  });
  const leaves: SeedCategory[] = [];
  const lineCategoryIds = specs.map((spec, index) => {
    const category = middle[index]!;
    const byName = new Map<string, SeedCategory>();
    return spec.lines.map(([noun]) => {
      const name = subcategories[spec.name]?.[noun];
      if (!name) return category.id;
      let sub = byName.get(name);
      if (!sub) {
        const id = faker.string.uuid();
        sub = { id, slug: uniqueSlug(name, category.slug), name, parentId: category.id, path: `${category.path}${id}/` };
        byName.set(name, sub);
        leaves.push(sub);
      }
      return sub.id;
    });
  });
  return { categories: [...middle, ...tops, ...leaves], lineCategoryIds };
}

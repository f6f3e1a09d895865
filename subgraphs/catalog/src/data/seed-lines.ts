/**
 * The demo catalog's product lines per category (names, price ranges, copy) for seed-data.ts: plain
 * data, kept apart from the generator.
 */

/** A product line: the noun, adjectives that make sense for it, a price range in whole units, one line of copy. */
export type Line = [noun: string, adjectives: string[], minPrice: number, maxPrice: number, detail: string];

export interface CategorySpec {
  name: string;
  /** Fictional brands put before the name (none for books: the publisher goes in the description). */
  brands: string[];
  lines: Line[];
  /** Sentences that fit every line of the category; two of them follow the line's own detail. */
  features: string[];
}

export const CATALOG: CategorySpec[] = [
  {
    name: 'Audio',
    brands: ['Sonora', 'Aurelia', 'Kestrel', 'Halden', 'Veltro'],
    lines: [
      [
        'Over-Ear Headphones',
        ['Noise-Cancelling', 'Wireless', 'Studio', 'Foldable'],
        79,
        399,
        'Memory-foam ear cushions stay comfortable through long listening sessions.',
      ],
      ['Earbuds', ['True Wireless', 'Sport', 'Noise-Cancelling', 'Compact'], 39, 249, 'A pocketable charging case adds three extra charges.'],
      [
        'Bluetooth Speaker',
        ['Portable', 'Waterproof', 'Rugged', 'Mini'],
        29,
        199,
        'Room-filling 360-degree sound from a speaker that fits in a bag.',
      ],
      ['Soundbar', ['Dolby Atmos', 'Slim', '2.1-Channel', 'Compact'], 129, 899, 'Clearer dialogue and a wider soundstage from one bar under the TV.'],
      ['Turntable', ['Belt-Drive', 'Direct-Drive', 'Bluetooth', 'Retro'], 99, 599, 'Built-in phono preamp and a pre-mounted cartridge.'],
      [
        'USB Microphone',
        ['Condenser', 'Podcast', 'Streaming', 'Cardioid'],
        49,
        199,
        'Zero-latency headphone monitoring and a gain knob on the body.',
      ],
      [
        'Bookshelf Speakers',
        ['Powered', 'Passive', 'Wireless', 'Hi-Fi'],
        99,
        699,
        'Silk-dome tweeters and woven woofers in a pair of walnut cabinets.',
      ],
      [
        'Stereo Amplifier',
        ['Integrated', 'Class-D', 'Tube', 'Compact'],
        149,
        999,
        'Plenty of clean power for bookshelf and floor-standing speakers.',
      ],
    ],
    features: [
      'Tuned for clear vocals and deep, controlled bass.',
      'Covered by a two-year limited warranty.',
      'Sturdy build with a matte finish that resists fingerprints.',
      'Set up in minutes, no tools needed.',
    ],
  },
  {
    name: 'Computers',
    brands: ['Nordbyte', 'Voltix', 'Arcline', 'Kepler', 'Quanta'],
    lines: [
      ['Wireless Mouse', ['Ergonomic', 'Silent', 'Compact', 'Rechargeable'], 19, 89, 'A sculpted shape keeps the wrist in a natural position.'],
      ['Mechanical Keyboard', ['Tenkeyless', 'Backlit', 'Low-Profile', 'Wireless'], 59, 219, 'Hot-swappable switches with a crisp, tactile feel.'],
      [
        'Monitor',
        ['27-inch 4K', '24-inch Full HD', '34-inch Curved Ultrawide', '27-inch QHD'],
        149,
        899,
        'Factory-calibrated colour and a height-adjustable stand.',
      ],
      ['Laptop Stand', ['Adjustable', 'Aluminum', 'Foldable'], 25, 79, 'Raises the screen to eye level for a better posture.'],
      ['USB-C Hub', ['7-in-1', 'Compact', 'Travel', '10-Port'], 29, 99, 'HDMI, card reader and 100 W pass-through charging in one dongle.'],
      ['External SSD', ['1TB Portable', '2TB Rugged', '500GB Pocket'], 59, 249, 'Transfers up to 1,050 MB/s over USB-C.'],
      ['Webcam', ['1080p', '4K', 'Wide-Angle'], 39, 199, 'Auto-focus and light correction for sharp video calls.'],
      ['Laptop Backpack', ['Water-Resistant', 'Slim', 'Commuter'], 39, 129, 'A padded sleeve fits laptops up to 16 inches.'],
    ],
    features: [
      'Backed by a three-year warranty.',
      'Made with 50% recycled materials.',
      'Designed and tested for all-day use.',
      'Free shipping and 30-day returns.',
    ],
  },
  {
    name: 'Home & Kitchen',
    brands: ['Ember & Oak', 'Maison Vert', 'Copperline', 'Hearthwell'],
    lines: [
      ["Chef's Knife", ['8-inch', 'Damascus Steel', 'Forged'], 29, 179, 'A full-tang blade honed to a 15-degree edge.'],
      ['Skillet', ['Pre-Seasoned Cast Iron', 'Enameled Cast Iron', 'Tri-Ply Stainless'], 24, 119, 'Even heat from the stovetop to the oven.'],
      ['Coffee Grinder', ['Burr', 'Electric', 'Manual'], 29, 199, 'Forty grind settings, from espresso to cold brew.'],
      ['French Press', ['Stainless Steel', 'Glass', 'Insulated'], 19, 59, 'A double mesh filter keeps the grounds out of the cup.'],
      ['Stand Mixer', ['5-Quart', 'Tilt-Head', 'Compact'], 149, 499, 'Ten speeds and a dough hook, whisk and flat beater included.'],
      ['Cutting Board', ['Walnut', 'Bamboo', 'End-Grain'], 19, 99, 'Gentle on knife edges, with a juice groove around the rim.'],
      ['Air Fryer', ['5.8-Quart', 'Digital', 'Compact'], 59, 179, 'Crisp results with little or no oil.'],
      ['Bath Towel Set', ['Organic Cotton', 'Quick-Dry', 'Plush'], 29, 89, 'Two bath towels, two hand towels and two washcloths.'],
    ],
    features: ['Designed to last for years of daily use.', 'Easy to clean and store.', 'Comes gift-boxed.', 'Backed by a five-year warranty.'],
  },
  {
    name: 'Outdoors',
    brands: ['Ridgeway', 'Northfold', 'Summitline', 'Alder Peak'],
    lines: [
      ['Camping Tent', ['2-Person Backpacking', '4-Person Dome', 'Ultralight'], 79, 499, 'Pitches in under five minutes with color-coded poles.'],
      ['Sleeping Bag', ['Down Mummy', 'Synthetic', '3-Season'], 49, 329, 'Stays warm down to 20°F and packs into its own stuff sack.'],
      ['Headlamp', ['Rechargeable', '400-Lumen', 'Waterproof'], 19, 69, 'Red night mode preserves your night vision.'],
      ['Hiking Backpack', ['22L', '40L', '65L Trekking'], 59, 289, 'An adjustable, ventilated back panel carries heavy loads comfortably.'],
      ['Water Filter', ['Squeeze', 'Gravity', 'Straw'], 19, 99, 'Removes 99.9999% of bacteria from lakes and streams.'],
      ['Camp Stove', ['Backpacking', 'Two-Burner', 'Compact'], 29, 149, 'Boils a liter of water in about four minutes.'],
      ['Trekking Poles', ['Carbon', 'Collapsible', 'Aluminum'], 29, 159, 'Cork grips and quick-lock adjustment.'],
      ['Insulated Water Bottle', ['32oz', '24oz', 'Wide-Mouth'], 19, 49, 'Keeps drinks cold for 24 hours or hot for 12.'],
    ],
    features: [
      'Tested in the field through all four seasons.',
      'Lifetime repair program.',
      'Made with recycled materials.',
      'Light enough for long trails.',
    ],
  },
  {
    name: 'Books',
    brands: [],
    lines: [
      [
        'Sourdough Baking',
        ['The Complete Guide to', "A Beginner's Guide to", 'Mastering'],
        12,
        39,
        'Step-by-step recipes from a first starter to open-crumb loaves.',
      ],
      ['Bird Watching', ['A Field Guide to', 'The Little Book of', 'The Joy of'], 9, 34, 'Illustrated identification notes for over 300 species.'],
      ['Home Woodworking', ['The Complete Guide to', 'Practical', 'Essential'], 14, 49, 'Twenty projects, from a cutting board to a dining table.'],
      ['Python Programming', ['Practical', 'Mastering', 'Learning'], 24, 59, 'Hands-on chapters with exercises and worked solutions.'],
      [
        'Watercolor Painting',
        ["A Beginner's Guide to", 'The Art of', 'Everyday'],
        12,
        36,
        'Techniques for washes, layering and loose botanical studies.',
      ],
      ['Urban Gardening', ['The Little Book of', 'Practical', 'The Joy of'], 9, 29, 'Grow food on balconies, rooftops and windowsills.'],
      ['Personal Finance', ['The Simple Path to', 'Essential', 'Mastering'], 12, 32, 'Clear advice on saving, investing and paying off debt.'],
    ],
    features: ['Includes a full index and glossary.', 'Revised and updated edition.', 'Illustrated throughout.', 'Printed on FSC-certified paper.'],
  },
  {
    name: 'Toys & Games',
    brands: ['Tumble & Co', 'Brightblock', 'Playfen', 'Woodwhistle'],
    lines: [
      ['Building Blocks Set', ['500-Piece', 'Creative', 'Starter'], 19, 99, 'Compatible with the major brick brands.'],
      ['Board Game', ['Strategy', 'Family', 'Cooperative'], 19, 69, 'For two to six players, ages 8 and up.'],
      ['Jigsaw Puzzle', ['1000-Piece', '500-Piece', '2000-Piece'], 12, 39, 'Thick, precision-cut pieces that lock firmly together.'],
      ['Remote Control Car', ['Off-Road', 'High-Speed', 'Rock Crawler'], 29, 149, 'Four-wheel drive and a rechargeable battery pack.'],
      ['Plush Bear', ['Cuddly', 'Giant', 'Classic'], 12, 49, 'Soft, washable and stitched to survive years of hugs.'],
      ['Wooden Train Set', ['Deluxe', 'Starter', '80-Piece'], 29, 129, 'Solid beech track with bridges and a tunnel.'],
      ['Card Game', ['Party', 'Two-Player', 'Trivia'], 9, 29, 'Quick to learn, games last about twenty minutes.'],
    ],
    features: [
      'Meets EN 71 and ASTM toy safety standards.',
      'Non-toxic, child-safe finishes.',
      'Makes a great gift.',
      'Comes in plastic-free packaging.',
    ],
  },
  {
    name: 'Clothing',
    brands: ['Harbor & Pine', 'Fieldhouse', 'Linnea', 'Cobalt Mill'],
    lines: [
      ['T-Shirt', ['Organic Cotton', 'Slim-Fit', 'Crew-Neck'], 14, 39, 'Pre-shrunk, mid-weight jersey that keeps its shape.'],
      ['Hoodie', ['Fleece', 'Zip-Up', 'Heavyweight'], 39, 99, 'Brushed-back fleece with a lined hood.'],
      ['Denim Jacket', ['Classic', 'Sherpa-Lined', 'Cropped'], 59, 149, 'Rigid denim that softens with every wear.'],
      ['Rain Jacket', ['Packable', 'Waterproof', 'Lightweight'], 59, 199, 'Taped seams and pit zips for breathable protection.'],
      ['Chino Pants', ['Slim', 'Stretch', 'Relaxed-Fit'], 39, 89, 'Cotton twill with a touch of stretch for all-day comfort.'],
      ['Sweater', ['Merino Wool', 'Cable-Knit', 'V-Neck Cashmere'], 59, 159, 'Fine-gauge knit that layers easily under a jacket.'],
      ['Socks', ['Merino Wool Hiking', 'Cushioned Running', 'Bamboo Dress'], 9, 29, 'Reinforced heel and toe, in packs of three.'],
    ],
    features: ['Machine washable.', 'Available in sizes XS to XXL.', 'Ethically made in certified factories.', 'Free returns within 60 days.'],
  },
  {
    name: 'Sports',
    brands: ['Stride', 'Apexon', 'Kinetic Lab', 'Trueform'],
    lines: [
      ['Yoga Mat', ['Non-Slip', 'Extra-Thick', 'Travel'], 19, 89, 'Grippy on both sides, even during hot yoga.'],
      ['Dumbbells', ['Adjustable 25lb', 'Adjustable 50lb', 'Hex Rubber'], 79, 399, 'Change the weight in seconds with a turn of the dial.'],
      ['Running Shoes', ['Trail', 'Road', 'Lightweight'], 69, 179, 'Responsive foam cushioning with a breathable knit upper.'],
      ['Resistance Band Set', ['Heavy-Duty', 'Fabric', '5-Level'], 14, 49, 'Five resistance levels with a door anchor and handles.'],
      ['Basketball', ['Indoor/Outdoor', 'Official Size', 'Composite Leather'], 19, 79, 'Deep channels and a pebbled grip for control.'],
      ['Tennis Racket', ['Graphite', 'Lightweight', 'Oversize'], 39, 229, 'A forgiving sweet spot with pre-strung synthetic gut.'],
      ['Foam Roller', ['High-Density', 'Textured', 'Vibrating'], 19, 99, 'Eases sore muscles after training.'],
      ['Jump Rope', ['Speed', 'Weighted', 'Adjustable'], 9, 39, 'Ball-bearing handles for a smooth, fast spin.'],
    ],
    features: ['Built for daily training.', 'Tested by competitive athletes.', 'One-year warranty.', 'Suitable for beginners and pros.'],
  },
  {
    name: 'Beauty',
    brands: ['Lumière', 'Botanica', 'Pure Theory', 'Velvetine'],
    lines: [
      ['Facial Cleanser', ['Gentle Foaming', 'Hydrating', 'Oil-Control'], 9, 39, 'Removes makeup and impurities without stripping the skin.'],
      ['Moisturizer', ['Daily SPF 30', 'Oil-Free', 'Rich Night'], 14, 69, 'Hyaluronic acid and ceramides for lasting hydration.'],
      ['Vitamin C Serum', ['Brightening', '15%', 'Antioxidant'], 19, 79, 'Evens skin tone and fades dark spots over time.'],
      ['Hair Dryer', ['Ionic', 'Travel', 'Diffuser'], 29, 299, 'Fast drying with less frizz, and a cool-shot button.'],
      ['Electric Toothbrush', ['Sonic', 'Rechargeable', 'Travel'], 29, 199, 'A two-minute timer with 30-second quadrant alerts.'],
      ['Shampoo', ['Sulfate-Free', 'Volumizing', 'Clarifying'], 8, 34, 'Cleans gently and leaves hair soft and shiny.'],
      ['Lip Balm Set', ['Tinted', 'Hydrating', 'SPF 15'], 6, 24, 'Shea butter and vitamin E in four shades.'],
    ],
    features: ['Dermatologist tested.', 'Cruelty-free.', 'Travel-friendly size.', 'Recyclable packaging.'],
  },
  {
    name: 'Garden',
    brands: ['Greenhaven', 'Fernleaf', 'Burrow & Bloom', 'Yardcraft'],
    lines: [
      ['Garden Hose', ['Expandable 50ft', 'Heavy-Duty 100ft', 'Lightweight'], 24, 89, 'Kink-resistant, with a 9-pattern spray nozzle.'],
      ['Pruning Shears', ['Bypass', 'Ratchet', 'Ergonomic'], 14, 59, 'Hardened steel blades cut branches up to 3/4 inch.'],
      ['Raised Garden Bed', ['Cedar', 'Galvanized Steel', 'Elevated'], 49, 249, 'Tool-free assembly, open-bottom for healthy roots.'],
      ['Watering Can', ['Galvanized', '2-Gallon', 'Indoor'], 14, 49, 'A long spout for a gentle, even shower.'],
      ['Compost Bin', ['Tumbling', 'Countertop', 'Stackable'], 19, 179, 'Turns kitchen scraps into rich compost in weeks.'],
      ['Bird Feeder', ['Squirrel-Proof', 'Hanging', 'Window'], 14, 69, 'Holds three pounds of seed and cleans out easily.'],
      ['Solar Path Lights', ['Set of 8', 'Warm White', 'Stainless Steel'], 24, 79, 'Charge by day and switch on automatically at dusk.'],
      ['Garden Gloves', ['Leather', 'Bamboo', 'Thorn-Proof'], 9, 34, 'Breathable, with reinforced fingertips.'],
    ],
    features: [
      'Weather-resistant for year-round use.',
      'Backed by a two-year guarantee.',
      'Built to handle years of yard work.',
      'Made from sustainably sourced materials.',
    ],
  },
];

export const PUBLISHERS = ['Larkspur Press', 'Hollow Oak Books', 'Meridian House', 'Quill & Lantern'];

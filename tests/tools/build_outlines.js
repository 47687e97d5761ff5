// Reduce Natural Earth's country outlines to the few the site's maps draw.
//
//   npm ci && node tests/tools/build_outlines.js
//
// Reads the world-atlas package's TopoJSON (Natural Earth 1:110m, public domain),
// merges the fifteen successor states into one outline of the Soviet Union (shared
// borders dissolve, as topojson-client's merge does), keeps Hungary and the countries
// around the two for context, rounds to a hundredth of a degree and writes
// timeline/data/outlines.json. The site reads only that file; nothing here runs at
// request time.
"use strict";

const fs = require("fs");
const path = require("path");
const topojson = require("topojson-client");

const ROOT = path.resolve(__dirname, "..", "..");
const ATLAS = path.join(ROOT, "node_modules", "world-atlas", "countries-110m.json");
const OUTPUT = path.join(ROOT, "timeline", "data", "outlines.json");
const VERSION = require(path.join(ROOT, "node_modules", "world-atlas", "package.json")).version;

const SOVIET_SUCCESSORS = [
  "Russia", "Ukraine", "Belarus", "Moldova", "Lithuania", "Latvia", "Estonia", "Georgia",
  "Armenia", "Azerbaijan", "Kazakhstan", "Uzbekistan", "Turkmenistan", "Kyrgyzstan",
  "Tajikistan",
];
const NEIGHBOURS = [
  "Austria", "Slovakia", "Czechia", "Poland", "Romania", "Serbia", "Croatia", "Slovenia",
  "Bosnia and Herz.", "Montenegro", "Kosovo", "Macedonia", "Albania", "Bulgaria", "Greece",
  "Germany", "Italy", "Switzerland", "Denmark", "Netherlands", "Belgium", "Luxembourg",
  "France", "United Kingdom", "Ireland", "Spain", "Portugal", "Norway", "Sweden", "Finland",
  "Turkey", "Iran", "Afghanistan", "Pakistan", "China", "Mongolia", "North Korea",
  "South Korea", "Japan", "Iraq", "Syria",
];

function slug(name) {
  return name.toLowerCase().replace(/[^a-z]+/g, "-").replace(/^-|-$/g, "");
}

// Longitudes west of -150 belong to Chukotka, across the antimeridian: move them east
// so that the Soviet Union is one shape.
function ringsOf(geometry, crossesAntimeridian) {
  const polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
  const rings = [];
  for (const polygon of polygons) {
    for (const ring of polygon) {
      const east = crossesAntimeridian && Math.max(...ring.map((p) => p[0])) < -150;
      const points = [];
      for (const [lon, lat] of ring) {
        const point = [Math.round((east ? lon + 360 : lon) * 100) / 100, Math.round(lat * 100) / 100];
        const last = points[points.length - 1];
        if (!last || last[0] !== point[0] || last[1] !== point[1]) points.push(point);
      }
      if (points.length >= 4) rings.push(points);
    }
  }
  return rings;
}

const topology = JSON.parse(fs.readFileSync(ATLAS, "utf8"));
const countries = topology.objects.countries.geometries;
const byName = new Map(countries.map((geometry) => [geometry.properties.name, geometry]));
for (const name of [...SOVIET_SUCCESSORS, ...NEIGHBOURS, "Hungary"]) {
  if (!byName.has(name)) throw new Error(`world-atlas has no country named ${name}`);
}

const outlines = {
  hungary: { name: "Hungary", rings: ringsOf(topojson.feature(topology, byName.get("Hungary")).geometry, false) },
  "soviet-union": {
    name: "Soviet Union (its fifteen successor states)",
    rings: ringsOf(topojson.merge(topology, SOVIET_SUCCESSORS.map((name) => byName.get(name))), true),
  },
};
for (const name of NEIGHBOURS) {
  outlines[slug(name)] = {
    name,
    rings: ringsOf(topojson.feature(topology, byName.get(name)).geometry, false),
    context: true,
  };
}

const data = {
  source: `Natural Earth 1:110m Cultural Vectors, admin 0 countries, as the world-atlas ${VERSION} npm package ships them (TopoJSON)`,
  licence: "Public domain (Natural Earth, https://www.naturalearthdata.com/about/terms-of-use/)",
  borders: "Modern borders, as Natural Earth draws them today; approximate, and not the borders of any year in the history.",
  built_by: "tests/tools/build_outlines.js",
  outlines,
};
fs.writeFileSync(OUTPUT, JSON.stringify(data) + "\n");
const points = Object.values(outlines).reduce((sum, o) => sum + o.rings.reduce((s, r) => s + r.length, 0), 0);
console.log(`${Object.keys(outlines).length} outlines, ${points} points, ${fs.statSync(OUTPUT).size} bytes`);

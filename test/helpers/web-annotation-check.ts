// The MUSTs of the W3C Web Annotation Data Model (Recommendation, 23 February 2017,
// https://www.w3.org/TR/annotation-model/) for what an export can contain, as checks that return
// every violation with the section it breaks. Written from the spec's text, not from our exporter.
type Json = Record<string, unknown>;

const CONTEXT = 'http://www.w3.org/ns/anno.jsonld';
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const values = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
// xsd:dateTime (3.3.5 "The datetime MUST be expressed in the xsd:dateTime format").
const XSD_DATETIME = /^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;
// An IRI: a scheme and something after it (RFC 3987's shape, loosely).
const IRI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$/;
// 3.3.5 Motivation and Purpose: the defined instances of oa:Motivation.
const MOTIVATIONS = new Set([
  'assessing',
  'bookmarking',
  'classifying',
  'commenting',
  'describing',
  'editing',
  'highlighting',
  'identifying',
  'linking',
  'moderating',
  'questioning',
  'replying',
  'tagging',
]);

function typesOf(o: Json): string[] {
  return values(o.type).filter((t): t is string => typeof t === 'string');
}

function checkContext(o: Json, where: string, out: string[]): void {
  // 3.1 / 5.1: "The Annotation MUST have 1 or more @context values and http://www.w3.org/ns/anno.jsonld
  // MUST be one of them."
  if (!values(o['@context']).includes(CONTEXT)) out.push(`${where}: @context must include ${CONTEXT} (3.1)`);
}

function checkId(o: Json, where: string, out: string[]): void {
  if (typeof o.id !== 'string' || !IRI.test(o.id)) out.push(`${where}: must have exactly 1 IRI as id`);
}

function checkTime(o: Json, key: 'created' | 'modified' | 'generated', where: string, out: string[]): void {
  // 3.3.1 Lifecycle information: at most 1, in xsd:dateTime.
  const v = values(o[key]);
  if (v.length > 1) out.push(`${where}: at most 1 ${key} (3.3.1)`);
  for (const t of v)
    if (typeof t !== 'string' || !XSD_DATETIME.test(t))
      out.push(`${where}: ${key} must be xsd:dateTime (3.3.1)`);
}

function checkSelector(s: unknown, where: string, out: string[]): void {
  if (!isObject(s)) {
    out.push(`${where}: a selector must be an object`);
    return;
  }
  const types = typesOf(s);
  // 4.2: each Selector "MUST have exactly 1 type".
  if (types.length !== 1) {
    out.push(`${where}: a selector must have exactly 1 type (4.2)`);
    return;
  }
  const single = (key: string) => values(s[key]).length === 1;
  const nonNegInt = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
  switch (types[0]) {
    case 'TextQuoteSelector': // 4.2.4
      if (!single('exact') || typeof s.exact !== 'string')
        out.push(`${where}: TextQuoteSelector must have exactly 1 exact (4.2.4)`);
      for (const k of ['prefix', 'suffix'])
        if (values(s[k]).length > 1 || (s[k] !== undefined && typeof s[k] !== 'string'))
          out.push(`${where}: TextQuoteSelector ${k} at most 1 string (4.2.4)`);
      break;
    case 'TextPositionSelector': // 4.2.5
      if (!single('start') || !nonNegInt(s.start))
        out.push(`${where}: TextPositionSelector start must be 1 non-negative integer (4.2.5)`);
      if (!single('end') || !nonNegInt(s.end))
        out.push(`${where}: TextPositionSelector end must be 1 non-negative integer (4.2.5)`);
      break;
    case 'XPathSelector': // 4.2.3
      if (!single('value') || typeof s.value !== 'string')
        out.push(`${where}: XPathSelector must have exactly 1 value (4.2.3)`);
      break;
    case 'RangeSelector': {
      // 4.2.9: exactly 1 startSelector and 1 endSelector, of the same class.
      if (!single('startSelector') || !single('endSelector')) {
        out.push(`${where}: RangeSelector must have exactly 1 startSelector and 1 endSelector (4.2.9)`);
        break;
      }
      checkSelector(s.startSelector, `${where}.startSelector`, out);
      checkSelector(s.endSelector, `${where}.endSelector`, out);
      const a = isObject(s.startSelector) ? typesOf(s.startSelector).join() : '';
      const b = isObject(s.endSelector) ? typesOf(s.endSelector).join() : '';
      if (a !== b) out.push(`${where}: startSelector and endSelector must be of the same class (4.2.9)`);
      break;
    }
    default:
      break; // other selectors are not in our exports; their rules are not checked here
  }
  // 4.2.10 Refinement: refinedBy holds Selectors.
  for (const r of values(s.refinedBy)) checkSelector(r, `${where}.refinedBy`, out);
}

function checkResource(r: unknown, where: string, out: string[], role: 'body' | 'target'): void {
  if (typeof r === 'string') {
    if (!IRI.test(r)) out.push(`${where}: a ${role} given by reference must be an IRI`);
    return;
  }
  if (!isObject(r)) {
    out.push(`${where}: a ${role} must be an IRI or an object`);
    return;
  }
  const types = typesOf(r);
  if (types.includes('TextualBody') || 'value' in r) {
    // 3.2.4 Embedded Textual Body: exactly 1 value, a string.
    if (values(r.value).length !== 1 || typeof r.value !== 'string')
      out.push(`${where}: a TextualBody must have exactly 1 value (3.2.4)`);
    if (r.id !== undefined && (typeof r.id !== 'string' || !IRI.test(r.id)))
      out.push(`${where}: a body id must be an IRI`);
  } else if (types.includes('SpecificResource') || 'source' in r || 'selector' in r) {
    // 4.1 Specific Resources: exactly 1 source.
    const source = values(r.source);
    if (source.length !== 1) out.push(`${where}: a SpecificResource must have exactly 1 source (4.1)`);
    for (const s of source) {
      const id = typeof s === 'string' ? s : isObject(s) ? s.id : undefined;
      if (typeof id !== 'string' || !IRI.test(id))
        out.push(`${where}: the source must be an IRI or have one as id (4.1)`);
    }
    values(r.selector).forEach((s, i) => checkSelector(s, `${where}.selector[${i}]`, out));
  } else if (typeof r.id !== 'string' || !IRI.test(r.id)) {
    // 3.2.1 External Web Resources: "MUST have exactly 1 IRI".
    out.push(`${where}: an external resource must have exactly 1 IRI (3.2.1)`);
  }
  for (const p of values(r.purpose))
    if (typeof p !== 'string' || !MOTIVATIONS.has(p))
      out.push(`${where}: purpose must be a Motivation (3.3.5)`);
}

/** Every MUST the Annotation breaks; `embedded` when it sits in a page that carries the @context. */
export function checkAnnotation(a: unknown, where = 'annotation', embedded = false): string[] {
  const out: string[] = [];
  if (!isObject(a)) return [`${where}: must be an object`];
  if (!embedded) checkContext(a, where, out);
  checkId(a, where, out);
  // 3.1: "The Annotation MUST have 1 or more types and the Annotation class MUST be one of them."
  if (!typesOf(a).includes('Annotation')) out.push(`${where}: type must include Annotation (3.1)`);
  // 3.1: "There MUST be 1 or more target relationships associated with an Annotation."
  const targets = values(a.target);
  if (targets.length === 0) out.push(`${where}: must have 1 or more targets (3.1)`);
  targets.forEach((t, i) => checkResource(t, `${where}.target[${i}]`, out, 'target'));
  values(a.body).forEach((b, i) => checkResource(b, `${where}.body[${i}]`, out, 'body'));
  // 3.2.5 bodyValue: "there MUST NOT be a body" with it, and at most 1.
  if (a.bodyValue !== undefined && (a.body !== undefined || typeof a.bodyValue !== 'string'))
    out.push(`${where}: bodyValue must be 1 string and excludes body (3.2.5)`);
  checkTime(a, 'created', where, out);
  checkTime(a, 'modified', where, out);
  checkTime(a, 'generated', where, out);
  for (const m of values(a.motivation))
    if (typeof m !== 'string' || !MOTIVATIONS.has(m))
      out.push(`${where}: motivation must be a Motivation (3.3.5)`);
  for (const c of values(a.creator)) {
    // 3.3.2 Agents: given by IRI or as an object (with an id, if any, that is an IRI).
    if (
      typeof c === 'string' ? !IRI.test(c) : !isObject(c) || (c.id !== undefined && !IRI.test(String(c.id)))
    )
      out.push(`${where}: creator must be an IRI or an Agent object (3.3.2)`);
  }
  return out;
}

/** Every MUST an AnnotationCollection (5.1) with embedded AnnotationPages (5.2) breaks. */
export function checkCollection(c: unknown): string[] {
  const out: string[] = [];
  if (!isObject(c)) return ['collection: must be an object'];
  checkContext(c, 'collection', out);
  checkId(c, 'collection', out);
  if (!typesOf(c).includes('AnnotationCollection'))
    out.push('collection: type must include AnnotationCollection (5.1)');
  if (c.total !== undefined && !(Number.isInteger(c.total) && (c.total as number) >= 0))
    out.push('collection: total must be a non-negative integer (5.1)');
  // 5.1: "If there are any Annotations in the Collection, then there MUST be exactly 1 first page."
  const firsts = values(c.first);
  if ((c.total ?? 1) !== 0 && firsts.length !== 1)
    out.push('collection: must have exactly 1 first page (5.1)');
  let count = 0;
  for (const page of firsts) {
    if (typeof page === 'string') continue;
    if (!isObject(page)) {
      out.push('collection.first: must be an IRI or an AnnotationPage');
      continue;
    }
    checkId(page, 'page', out);
    if (!typesOf(page).includes('AnnotationPage')) out.push('page: type must include AnnotationPage (5.2)');
    // 5.2: "The Page MUST have 1 or more annotations in the items list."
    const items = Array.isArray(page.items) ? page.items : [];
    if (items.length === 0) out.push('page: items must list 1 or more Annotations (5.2)');
    if (
      page.startIndex !== undefined &&
      !(Number.isInteger(page.startIndex) && (page.startIndex as number) >= 0)
    )
      out.push('page: startIndex must be a non-negative integer (5.2)');
    items.forEach((a, i) => out.push(...checkAnnotation(a, `page.items[${i}]`, true)));
    count += items.length;
  }
  if (
    typeof c.total === 'number' &&
    firsts.every((p) => isObject(p) && p.next === undefined) &&
    c.total !== count
  )
    out.push(`collection: total ${String(c.total)} but ${count} Annotations`);
  return out;
}

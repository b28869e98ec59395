// Label and field selectors with Kubernetes' syntax, matching rules, string forms and error texts
// (k8s.io/apimachinery/pkg/labels, pkg/fields, apis/meta/v1 LabelSelectorAsSelector/FormatLabelSelector
// and apis/meta/v1/validation ValidateLabelSelector).
import { ApiError, badRequest, type FieldError, fieldErrorText, goStringSlice, invalid, required, forbiddenField } from './errors.js';
import { isQualifiedName, isValidLabelValue, validateLabels } from './validation.js';

// ---------------------------------------------------------------------------------------------
// Label selectors
// ---------------------------------------------------------------------------------------------

export type RequirementOp = 'in' | 'notin' | 'exists' | '!' | '=' | '==' | '!=' | 'gt' | 'lt';

/** One requirement; '!' is DoesNotExist, 'exists' is Exists, gt/lt compare integers. */
export interface Requirement {
  key: string;
  op: RequirementOp;
  values: string[];
}

/** AND of requirements; an empty list selects everything. `null` (where allowed) selects nothing. */
export type LabelSelector = Requirement[];

/** The API form (metav1.LabelSelector). */
export interface LabelSelectorObject {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: { key: string; operator: string; values?: string[] | null }[] | null;
}

const binaryOperators = ['in', 'notin', '=', '==', '!=', 'gt', 'lt'];

// ---- lexer (same tokenisation as labels.Lexer) ----

const enum Tok {
  Error,
  EOS,
  ClosedPar,
  Comma,
  DoesNotExist,
  DoubleEquals,
  Equals,
  GreaterThan,
  Identifier,
  In,
  LessThan,
  NotEquals,
  NotIn,
  OpenPar,
}

const string2token: Record<string, Tok> = {
  ')': Tok.ClosedPar,
  ',': Tok.Comma,
  '!': Tok.DoesNotExist,
  '==': Tok.DoubleEquals,
  '=': Tok.Equals,
  '>': Tok.GreaterThan,
  in: Tok.In,
  '<': Tok.LessThan,
  '!=': Tok.NotEquals,
  notin: Tok.NotIn,
  '(': Tok.OpenPar,
};

const isWhitespace = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isSpecial = (c: string) => c === '=' || c === '!' || c === '(' || c === ')' || c === ',' || c === '>' || c === '<';

interface Item {
  tok: Tok;
  lit: string;
}

function lex(s: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  for (;;) {
    while (pos < s.length && isWhitespace(s[pos])) pos++;
    if (pos >= s.length) {
      items.push({ tok: Tok.EOS, lit: '' });
      return items;
    }
    if (isSpecial(s[pos])) {
      // longest run of special symbols that still forms a known token
      let buf = '';
      let last: Item | undefined;
      while (pos < s.length && isSpecial(s[pos])) {
        buf += s[pos];
        const t = string2token[buf];
        if (t !== undefined) {
          last = { tok: t, lit: buf };
          pos++;
        } else if (last) {
          break;
        } else {
          pos++;
        }
      }
      items.push(last ?? { tok: Tok.Error, lit: `error expected: keyword found '${buf}'` });
      continue;
    }
    const start = pos;
    while (pos < s.length && !isSpecial(s[pos]) && !isWhitespace(s[pos])) pos++;
    const word = s.slice(start, pos);
    const t = Object.prototype.hasOwnProperty.call(string2token, word) ? string2token[word] : Tok.Identifier;
    items.push({ tok: t, lit: word });
  }
}

class ParseError extends Error {}

/** Aggregated field errors the way utilerrors.NewAggregate prints them. */
function aggregate(errs: FieldError[]): string {
  const texts = [...new Set(errs.map(goFieldErrorText))];
  return texts.length === 1 ? texts[0] : `[${texts.join(', ')}]`;
}

/** field.Error text; the parser's paths are rooted at a nil path, which Go prints as "<nil>". */
function goFieldErrorText(e: FieldError): string {
  if (Array.isArray(e.value)) {
    // Go renders a []string bad value with %#v
    return `${e.field}: Invalid value: ${goStringSlice(e.value).text}${e.detail ? `: ${e.detail}` : ''}`;
  }
  return fieldErrorText(e);
}

function validateKey(key: string, path: string): FieldError | undefined {
  const errs = isQualifiedName(key);
  return errs.length ? invalid(path, key, errs.join('; ')) : undefined;
}

/** labels.NewRequirement: validates and builds one requirement (errors joined like an Aggregate). */
function newRequirement(key: string, op: RequirementOp, values: string[]): Requirement {
  const errs: FieldError[] = [];
  const k = validateKey(key, 'key');
  if (k) errs.push(k);
  switch (op) {
    case 'in':
    case 'notin':
      if (values.length === 0) errs.push(invalid('values', values, "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case '=':
    case '==':
    case '!=':
      if (values.length !== 1) errs.push(invalid('values', values, 'exact-match compatibility requires one single value'));
      break;
    case 'exists':
    case '!':
      if (values.length !== 0) errs.push(invalid('values', values, 'values set must be empty for exists and does not exist'));
      break;
    case 'gt':
    case 'lt':
      if (values.length !== 1) errs.push(invalid('values', values, "for 'Gt', 'Lt' operators, exactly one value is required"));
      values.forEach((v, i) => {
        if (parseInt64(v) === undefined) errs.push(invalid(`values[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"));
      });
      break;
  }
  values.forEach((v, i) => {
    const m = isValidLabelValue(v);
    if (m.length) errs.push(invalid(`values[${i}][${key}]`, v, m.join('; ')));
  });
  if (errs.length) throw new ParseError(aggregate(errs));
  return { key, op, values };
}

function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  if (n > 9223372036854775807n || n < -9223372036854775808n) return undefined;
  return n;
}

class Parser {
  private pos = 0;
  constructor(private items: Item[]) {}

  private lookahead(values: boolean): Item {
    const it = this.items[this.pos];
    if (values && (it.tok === Tok.In || it.tok === Tok.NotIn)) return { tok: Tok.Identifier, lit: it.lit };
    return it;
  }
  private consume(values: boolean): Item {
    const it = this.lookahead(values);
    this.pos++;
    return it;
  }

  parse(): Requirement[] {
    const reqs: Requirement[] = [];
    for (;;) {
      const { tok, lit } = this.lookahead(true);
      switch (tok) {
        case Tok.Identifier:
        case Tok.DoesNotExist: {
          try {
            reqs.push(this.parseRequirement());
          } catch (e) {
            if (e instanceof ParseError) throw new ParseError(`unable to parse requirement: ${e.message}`);
            throw e;
          }
          const t = this.consume(true);
          if (t.tok === Tok.EOS) return reqs;
          if (t.tok === Tok.Comma) {
            const t2 = this.lookahead(true);
            if (t2.tok !== Tok.Identifier && t2.tok !== Tok.DoesNotExist) throw new ParseError(`found '${t2.lit}', expected: identifier after ','`);
            break;
          }
          throw new ParseError(`found '${t.lit}', expected: ',' or 'end of string'`);
        }
        case Tok.EOS:
          return reqs;
        default:
          throw new ParseError(`found '${lit}', expected: !, identifier, or 'end of string'`);
      }
    }
  }

  private parseRequirement(): Requirement {
    let op: RequirementOp | undefined;
    let t = this.consume(true);
    if (t.tok === Tok.DoesNotExist) {
      op = '!';
      t = this.consume(true);
    }
    if (t.tok !== Tok.Identifier) throw new ParseError(`found '${t.lit}', expected: identifier`);
    const key = t.lit;
    const kerr = validateKey(key, '<nil>');
    if (kerr) throw new ParseError(goFieldErrorText(kerr));
    const next = this.lookahead(true).tok;
    if ((next === Tok.EOS || next === Tok.Comma) && op !== '!') op = 'exists';
    if (op === 'exists' || op === '!') return newRequirement(key, op, []);

    const o = this.consume(false);
    let bop: RequirementOp;
    switch (o.tok) {
      case Tok.In:
        bop = 'in';
        break;
      case Tok.Equals:
        bop = '=';
        break;
      case Tok.DoubleEquals:
        bop = '==';
        break;
      case Tok.GreaterThan:
        bop = 'gt';
        break;
      case Tok.LessThan:
        bop = 'lt';
        break;
      case Tok.NotIn:
        bop = 'notin';
        break;
      case Tok.NotEquals:
        bop = '!=';
        break;
      default:
        throw new ParseError(`found '${o.lit}', expected: ${binaryOperators.join(', ')}`);
    }
    const values = bop === 'in' || bop === 'notin' ? this.parseValues() : this.parseExactValue();
    return newRequirement(key, bop, [...values].sort());
  }

  private parseValues(): Set<string> {
    const open = this.consume(true);
    if (open.tok !== Tok.OpenPar) throw new ParseError(`found '${open.lit}' expected: '('`);
    const { tok, lit } = this.lookahead(true);
    if (tok === Tok.Identifier || tok === Tok.Comma) {
      const s = this.parseIdentifiersList();
      if (this.consume(true).tok !== Tok.ClosedPar) throw new ParseError(`found '${lit}', expected: ')'`);
      return s;
    }
    if (tok === Tok.ClosedPar) {
      this.consume(true);
      return new Set(['']);
    }
    throw new ParseError(`found '${lit}', expected: ',', ')' or identifier`);
  }

  private parseIdentifiersList(): Set<string> {
    const s = new Set<string>();
    for (;;) {
      const { tok, lit } = this.consume(true);
      if (tok === Tok.Identifier) {
        s.add(lit);
        const t2 = this.lookahead(true);
        if (t2.tok === Tok.Comma) continue;
        if (t2.tok === Tok.ClosedPar) return s;
        throw new ParseError(`found '${t2.lit}', expected: ',' or ')'`);
      } else if (tok === Tok.Comma) {
        if (s.size === 0) s.add('');
        const t2 = this.lookahead(true);
        if (t2.tok === Tok.ClosedPar) {
          s.add('');
          return s;
        }
        if (t2.tok === Tok.Comma) {
          this.consume(true);
          s.add('');
        }
      } else {
        throw new ParseError(`found '${lit}', expected: ',', or identifier`);
      }
    }
  }

  private parseExactValue(): Set<string> {
    const t = this.lookahead(true);
    if (t.tok === Tok.EOS || t.tok === Tok.Comma) return new Set(['']);
    const c = this.consume(true);
    if (c.tok === Tok.Identifier) return new Set([c.lit]);
    throw new ParseError(`found '${c.lit}', expected: identifier`);
  }
}

const sortByKey = (reqs: Requirement[]) => reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));

/** Parses `-l`/labelSelector syntax. Throws 400 BadRequest with Kubernetes' parser message. */
export function parseLabelSelector(s: string): LabelSelector {
  try {
    return sortByKey(new Parser(lex(s)).parse());
  } catch (e) {
    if (e instanceof ParseError) throw badRequest(e.message);
    throw e;
  }
}

const opFromApi: Record<string, RequirementOp> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };

/**
 * metav1.LabelSelectorAsSelector: null/undefined → null (matches nothing), {} → [] (everything).
 * Throws 400 for an unknown operator or invalid keys/values, like Kubernetes' conversion error.
 */
export function labelSelectorFromObject(sel: LabelSelectorObject | null | undefined): LabelSelector | null {
  if (sel === null || sel === undefined) return null;
  const ml = sel.matchLabels ?? {};
  const me = sel.matchExpressions ?? [];
  const reqs: Requirement[] = [];
  try {
    for (const k of Object.keys(ml).sort()) reqs.push(newRequirement(k, '=', [ml[k]]));
    for (const e of me) {
      const op = opFromApi[e?.operator as string];
      if (!op) throw new ParseError(`${JSON.stringify(String(e?.operator ?? ''))} is not a valid label selector operator`);
      reqs.push(newRequirement(String(e.key ?? ''), op, [...(e.values ?? [])].map(String)));
    }
  } catch (e) {
    if (e instanceof ParseError) throw badRequest(e.message);
    throw e;
  }
  return sortByKey(reqs);
}

/** A plain `map[string]string` selector (ReplicationController, Service): every pair must match. */
export function labelSelectorFromMap(m: Record<string, string> | null | undefined): LabelSelector {
  if (!m) return [];
  return Object.keys(m)
    .sort()
    .map((k) => ({ key: k, op: '=' as const, values: [m[k]] }));
}

function requirementMatches(r: Requirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  switch (r.op) {
    case 'in':
    case '=':
    case '==':
      return has && r.values.includes(labels[r.key]);
    case 'notin':
    case '!=':
      return !has || !r.values.includes(labels[r.key]);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has || r.values.length !== 1) return false;
      const lv = parseInt64(labels[r.key]);
      const rv = parseInt64(r.values[0]);
      if (lv === undefined || rv === undefined) return false;
      return r.op === 'gt' ? lv > rv : lv < rv;
    }
  }
}

/** labels.FormatLabels: "k=v,k2=v2" sorted by key, "<none>" when empty. */
export function formatLabels(m: unknown): string {
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return '<none>';
  const l = m as Record<string, unknown>;
  const keys = Object.keys(l).sort();
  if (!keys.length) return '<none>';
  return keys.map((k) => `${k}=${l[k]}`).join(',');
}

/** True when every requirement matches; a null selector matches nothing. */
export function matchesLabels(sel: LabelSelector | null, labels: Record<string, string> | null | undefined): boolean {
  if (sel === null) return false;
  const l = labels ?? {};
  for (const r of sel) if (!requirementMatches(r, l)) return false;
  return true;
}

function requirementToString(r: Requirement): string {
  let s = r.op === '!' ? `!${r.key}` : r.key;
  switch (r.op) {
    case 'exists':
    case '!':
      return s;
    case '=':
      s += '=';
      break;
    case '==':
      s += '==';
      break;
    case '!=':
      s += '!=';
      break;
    case 'in':
      s += ' in ';
      break;
    case 'notin':
      s += ' notin ';
      break;
    case 'gt':
      s += '>';
      break;
    case 'lt':
      s += '<';
      break;
  }
  const vals = r.values.length === 1 ? r.values[0] : [...r.values].sort().join(',');
  return r.op === 'in' || r.op === 'notin' ? `${s}(${vals})` : s + vals;
}

/** labels.Selector.String(): requirements joined with ',' ("" for everything or nothing). */
export function selectorToString(sel: LabelSelector | null): string {
  if (!sel) return '';
  return sel.map(requirementToString).join(',');
}

/** metav1.FormatLabelSelector: "app=nginx,tier in (web)", "<none>" when empty or null, "<error>" when invalid. */
export function labelSelectorToString(obj: LabelSelectorObject | null | undefined): string {
  let s: string;
  try {
    s = selectorToString(labelSelectorFromObject(obj));
  } catch (e) {
    if (e instanceof ApiError) return '<error>';
    throw e;
  }
  return s.length ? s : '<none>';
}

/** metav1validation.ValidateLabelSelector (values must be valid label values, as for new objects). */
export function validateLabelSelector(sel: unknown, field: string): FieldError[] {
  const errs: FieldError[] = [];
  if (sel === null || sel === undefined || typeof sel !== 'object') return errs;
  const ps = sel as LabelSelectorObject;
  errs.push(...validateLabels(ps.matchLabels, `${field}.matchLabels`));
  const exprs = Array.isArray(ps.matchExpressions) ? ps.matchExpressions : [];
  exprs.forEach((expr, i) => {
    const f = `${field}.matchExpressions[${i}]`;
    const values = Array.isArray(expr?.values) ? expr.values : [];
    switch (expr?.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) errs.push(required(`${f}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) errs.push(forbiddenField(`${f}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        errs.push(invalid(`${f}.operator`, expr?.operator ?? '', 'not a valid selector operator'));
    }
    const key = typeof expr?.key === 'string' ? expr.key : '';
    for (const m of isQualifiedName(key)) errs.push(invalid(`${f}.key`, key, m));
    values.forEach((v, j) => {
      const val = typeof v === 'string' ? v : String(v);
      for (const m of isValidLabelValue(val)) errs.push(invalid(`${f}.values[${j}]`, val, m));
    });
  });
  return errs;
}

// ---------------------------------------------------------------------------------------------
// Field selectors
// ---------------------------------------------------------------------------------------------

export interface FieldRequirement {
  field: string;
  op: '=' | '==' | '!=';
  value: string;
}

/** Splits on unescaped commas; escapes stay in the terms. */
function splitTerms(s: string): string[] {
  if (s.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

const termOperators = ['!=', '==', '='] as const;

function splitTerm(term: string): [string, FieldRequirement['op'], string] | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of termOperators) if (term.startsWith(op, i)) return [term.slice(0, i), op, term.slice(i + op.length)];
  }
  return undefined;
}

function unescapeValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c === '\\' || c === ',' || c === '=') out += c;
      else throw badRequest(`invalid field selector: invalid escape sequence: \\${c}`);
      inSlash = false;
      continue;
    }
    if (c === '\\') inSlash = true;
    else if (c === ',' || c === '=') throw badRequest(`invalid field selector: unescapedRune character in value: ${c.codePointAt(0)}`);
    else out += c;
  }
  if (inSlash) throw badRequest('invalid field selector: invalid escape sequence: \\');
  return out;
}

/** fields.ParseSelector: `a=b,c!=d` with `\,` `\=` `\\` escapes in values. Throws 400 on bad syntax. */
export function parseFieldSelector(s: string): FieldRequirement[] {
  const parts = splitTerms(s).sort();
  const out: FieldRequirement[] = [];
  for (const part of parts) {
    if (part === '') continue;
    const t = splitTerm(part);
    if (!t) throw badRequest(`invalid selector: '${s}'; can't understand '${part}'`);
    out.push({ field: t[0], op: t[1], value: unescapeValue(t[2]) });
  }
  return out;
}

/** Escapes a value for use in a field selector string (fields.EscapeValue). */
export function escapeFieldValue(v: string): string {
  return v.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/** fieldSelector String(): terms joined with ',', values escaped. */
export function fieldSelectorToString(reqs: FieldRequirement[]): string {
  return reqs.map((r) => `${r.field}${r.op === '!=' ? '!=' : '='}${escapeFieldValue(r.value)}`).join(',');
}

/** Matches field requirements; a field the getter doesn't know reads as "" (like fields.Set.Get). */
export function matchesFields(reqs: FieldRequirement[], get: (field: string) => string | undefined): boolean {
  for (const r of reqs) {
    const v = get(r.field) ?? '';
    if (r.op === '!=' ? v === r.value : v !== r.value) return false;
  }
  return true;
}

/** The value a selector requires for `field` with = or == (for index lookups), if any. */
export function fieldRequiresExactMatch(reqs: FieldRequirement[], field: string): string | undefined {
  for (const r of reqs) if (r.field === field && r.op !== '!=') return r.value;
  return undefined;
}

// When a named concept counts as right for a photo: the one rule the caption bench
// (scripts/bench-caption.mjs: false mentions, wording) and the calibration (calibrate.mjs) share.
//
// A name is right when an annotated word (accept ∪ present) is a whole word of it (plural s/es
// allowed: word "cat" ~ "tabby cat") or it is the last word of an annotated word (name "tower" ~
// word "Eiffel Tower"). A group the caption backs off to (crate/src/vision/labels/groups.tsv:
// "animal", "building", "fruit", …) is right when an annotated word names one of its members: a
// member concept or one of its ImageNet/COCO classes, whole or by its head noun ("snake" ~ "grass
// snake"; "grass" does not make it an animal). Any concept that is the photo's category (a group,
// or the landscape on a landscape photo) is right.
import fs from 'node:fs';
import path from 'node:path';

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const wordRe = (w) => new RegExp(`(^|[^a-z])${escapeRe(w)}(s|es)?($|[^a-z])`);
const words = (p) => [...p.accept, ...(p.present || [])].map((w) => w.toLowerCase());
const norm = (n) => n.toLowerCase().replace(/_/g, ' ');

/** Any of `names` matches an annotated word of photo `p` (see above). */
export function namesRight(names, p) {
  const ws = words(p);
  return names.filter(Boolean).map(norm).some((n) => ws.some((w) => wordRe(w).test(n) || w === n || w.endsWith(` ${n}`)));
}

/** The caption's concept groups from the label tables: group key → English names of its members. */
export function loadGroups(labelsDir) {
  const tsv = (f) => fs.readFileSync(path.join(labelsDir, f), 'utf8').split('\n').slice(1).filter(Boolean).map((l) => l.split('\t'));
  const names = new Map();
  const add = (key, n) => { if (!names.has(key)) names.set(key, new Set()); names.get(key).add(norm(n)); };
  for (const [key, en] of tsv('concepts.tsv')) { add(key, key); add(key, en); }
  for (const f of ['imagenet.tsv', 'coco.tsv']) for (const [, en, , key] of tsv(f)) add(key, en);
  const groups = new Map();
  for (const [group, members] of tsv('groups.tsv')) groups.set(group, members.split(' ').flatMap((m) => [...(names.get(m) || [])]));
  return groups;
}

/** A member name matches an annotated word whole or by its head noun (plural s/es allowed). */
function memberRight(memberNames, p) {
  const ws = words(p);
  return memberNames.some((n) => [n, n.split(' ').pop()].some((x) => ws.some((w) => w === x || w === `${x}s` || w === `${x}es` || w.endsWith(` ${x}`))));
}

/** A tag (its English names and concept key) is right for photo `p`: a concept that is the photo's
 * category (a landscape on a photo annotated as one) is right whether or not it is a group. */
export function tagRight(names, concept, p, groups) {
  if (namesRight(names, p) || (concept && p.category === concept)) return true;
  const members = groups.get(concept);
  return Boolean(members) && memberRight(members, p);
}

import type { z } from "zod";
import type { KeyRecord } from "../model/inventory.js";
import type { RuleBase } from "./rule-base.js";
import type { KeyTimes } from "./time.js";

export interface CheckContext {
  now: Date;
  /** `now` in epoch ms. */
  nowMs: number;
  /** The checked key's timestamps, parsed once per key. */
  times: KeyTimes;
}

export interface Violation {
  /** Why the key breaks the rule, as a human sentence ("last used 143 days ago, on 2026-07-03"). */
  sentence: string;
}

/**
 * The rule cannot tell whether the key breaks it, from what the provider gave (Anthropic usage that
 * could not be read, or not far enough back): neither a finding nor fine. The evaluation lists it
 * and the run is incomplete for that reason.
 */
export interface Undecided {
  undecided: string;
}

/** A rule as `check` receives it: the base fields plus the kind's own options. */
export type RuleOf<Kind extends string, Options extends z.ZodObject> = RuleBase & { kind: Kind } & z.output<Options>;

/**
 * One kind of rule. Adding a kind is one module built with `defineRule` plus one line in registry.ts;
 * the policy schema, its JSON Schema and the evaluator pick it up from there.
 */
export interface RuleModule<Kind extends string = string, Options extends z.ZodObject = z.ZodObject> {
  kind: Kind;
  /** One line for the JSON Schema and error messages. */
  summary: string;
  /** What to do about a finding of this kind, unless the rule says otherwise (`remediation:`): a short imperative. */
  remediation: string;
  /** The kind-specific fields of a rule (the base fields are added by the policy schema). */
  options: Options;
  /** Only active keys are checked (model/key-facts.ts `isActiveKey`). */
  check(key: KeyRecord, rule: RuleOf<Kind, Options>, ctx: CheckContext): Violation | Undecided | null;
  /**
   * Whether this rule also checks keys that are not active (inactive, archived, expired): the others
   * are inventory. Only a `match` rule that names `status` in its condition does.
   */
  checksEveryStatus?(rule: RuleOf<Kind, Options>): boolean;
}

export function defineRule<Kind extends string, Options extends z.ZodObject>(module: RuleModule<Kind, Options>): RuleModule<Kind, Options> {
  return module;
}

/**
 * Caches what a rule compiles to (glob RegExps, condition predicates), keyed by the rule object,
 * so the work happens once per policy rather than once per key.
 */
export function perRule<Rule extends object, Compiled>(compile: (rule: Rule) => Compiled): (rule: Rule) => Compiled {
  const cache = new WeakMap<Rule, Compiled>();
  return (rule) => {
    let compiled = cache.get(rule);
    if (compiled === undefined) {
      compiled = compile(rule);
      cache.set(rule, compiled);
    }
    return compiled;
  };
}

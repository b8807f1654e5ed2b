/**
 * The deployment files as the deploy tests read them: docker-compose.yml parsed (YAML merge keys
 * resolved, as Compose does) and interpolated from an env file the way Compose does it, .env.example,
 * and the Dockerfile split into its stages (dockerfile-ast).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { DockerfileParser, ModifiableInstruction, type Instruction } from 'dockerfile-ast';
import { parse } from 'yaml';

export const ROOT = resolve(__dirname, '../..');

export interface HealthCheck {
  readonly test?: readonly string[] | string;
  readonly disable?: boolean;
}

export interface DependsOn {
  readonly condition?: string;
}

export interface ComposeService {
  readonly image?: string;
  readonly build?: { readonly context?: string; readonly target?: string };
  readonly command?: readonly string[] | string;
  readonly environment?: Record<string, string | null>;
  readonly env_file?: string | readonly string[];
  readonly volumes?: readonly string[];
  readonly ports?: readonly string[];
  readonly depends_on?: Record<string, DependsOn>;
  readonly healthcheck?: HealthCheck;
  readonly restart?: string;
  readonly container_name?: string;
  readonly stop_grace_period?: string;
}

export interface ComposeFile {
  readonly services: Record<string, ComposeService>;
  readonly volumes?: Record<string, unknown>;
}

export const composeText = (): string => readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');

/** The file as YAML, before interpolation: `${...}` still in place. */
export function parseCompose(text = composeText()): ComposeFile {
  return parse(text, { merge: true }) as ComposeFile;
}

/** The variables of an env file (.env.example by default), parsed as dotenv files are. */
export function envFile(name = '.env.example'): Record<string, string> {
  return parseEnv(readFileSync(join(ROOT, name), 'utf8')) as Record<string, string>;
}

// $$, ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error}, ${NAME?error}, ${NAME:+alt}, ${NAME+alt}, $NAME
const VARIABLE = /\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/** One string interpolated as the Compose Specification says (12-interpolation.md); a missing required variable throws. */
export function interpolate(text: string, vars: Readonly<Record<string, string | undefined>>): string {
  return text.replace(VARIABLE, (_match, dollar: string | undefined, braced?: string, op?: string, arg = '', bare?: string) => {
    if (dollar) return '$';
    const name = (braced ?? bare)!;
    const value = vars[name];
    const set = value !== undefined;
    const nonEmpty = set && value !== '';
    switch (op) {
      case ':-':
        return nonEmpty ? value : arg;
      case '-':
        return set ? value : arg;
      case ':?':
      case '?':
        if (op === ':?' ? nonEmpty : set) return value!;
        throw new Error(`required variable ${name} is missing a value: ${arg}`);
      case ':+':
        return nonEmpty ? arg : '';
      case '+':
        return set ? arg : '';
      default:
        return value ?? '';
    }
  });
}

/** Every string in `value`, keys excepted, interpolated (Compose interpolates values, not keys). */
export function interpolateTree<T>(value: T, vars: Readonly<Record<string, string | undefined>>): T {
  if (typeof value === 'string') return interpolate(value, vars) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => interpolateTree(v, vars)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateTree(v, vars)])) as T;
  }
  return value;
}

/** docker-compose.yml as Compose would run it with these variables in .env (default: .env.example's). */
export function resolvedCompose(vars: Readonly<Record<string, string | undefined>> = envFile()): ComposeFile {
  return interpolateTree(parseCompose(), vars);
}

/** A service's command or healthcheck as an argument vector (exec form; CMD-SHELL runs through sh -c). */
export function argv(command: readonly string[] | string | undefined): string[] {
  if (command === undefined) return [];
  if (typeof command === 'string') return ['sh', '-c', command];
  const [kind, ...rest] = command;
  if (kind === 'CMD') return rest;
  if (kind === 'CMD-SHELL') return ['sh', '-c', rest.join(' ')];
  return [...command];
}

/** One-shot services: restart "no", run to completion before the services that wait for them. */
export const isOneShot = (service: ComposeService): boolean => service.restart === 'no';

/** Services running the production image of this project's Dockerfile. */
export function appServices(compose: ComposeFile): [string, ComposeService][] {
  return Object.entries(compose.services).filter(([, s]) => s.build?.target === 'production');
}

/** Compose durations (`1m30s`, `6m`, `500ms`) in milliseconds. */
export function durationMs(text: string): number {
  const units: Record<string, number> = { us: 0.001, ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(us|ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) throw new Error(`not a Compose duration: ${text}`);
  return parts.reduce((sum, [, n, unit]) => sum + Number(n) * units[unit!]!, 0);
}

export interface Stage {
  readonly name: string;
  /** The image or stage it starts from. */
  readonly from: string;
  readonly instructions: readonly Instruction[];
}

/** The Dockerfile's stages in order, each with the instructions after its FROM. */
export function dockerStages(text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8')): Stage[] {
  const stages: { name: string; from: string; instructions: Instruction[] }[] = [];
  for (const instruction of DockerfileParser.parse(text).getInstructions()) {
    if (instruction.getKeyword() === 'FROM') {
      const [from = '', , name = String(stages.length)] = instruction.getArguments().map((a) => a.getValue());
      stages.push({ name, from, instructions: [] });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}

/** The stage named `name` (throws when there is none). */
export function stage(stages: readonly Stage[], name: string): Stage {
  const found = stages.find((s) => s.name === name);
  if (!found) throw new Error(`the Dockerfile has no stage ${name}; stages: ${stages.map((s) => s.name).join(', ')}`);
  return found;
}

export const ofKind = (s: Stage, keyword: string): Instruction[] => s.instructions.filter((i) => i.getKeyword() === keyword);

/** An instruction's arguments: the JSON array of the exec form, else the words. */
export function words(instruction: Instruction): string[] {
  const content = instruction.getArgumentsContent() ?? '';
  if (content.trimStart().startsWith('[')) return JSON.parse(content) as string[];
  return instruction.getArguments().map((a) => a.getValue());
}

/** The stage's ENV variables (later ones win). */
export function stageEnv(s: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const instruction of ofKind(s, 'ENV')) {
    for (const word of words(instruction)) {
      const [name, ...value] = word.split('=');
      env[name!] = value.join('=');
    }
  }
  return env;
}

/** Where a COPY takes its files: `--from`'s stage, else the build context. */
export function copySource(instruction: Instruction): string {
  const flags = instruction instanceof ModifiableInstruction ? instruction.getFlags() : [];
  return flags.find((f) => f.getName() === 'from')?.getValue() ?? 'context';
}

import { invalid } from "./errors.js";

const REPOSITORY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const USER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const BOOKMARK_FORBIDDEN = /[\x00-\x20\x7f~^:?*[\\]/;
const MAX_BOOKMARK_LENGTH = 255;

/** Returns why `name` is not a valid repository name, or undefined when it is. */
export function repositoryNameProblem(name: string): string | undefined {
  if (REPOSITORY_NAME.test(name) && !name.endsWith(".") && !name.includes("..")) return undefined;
  return "use 1 to 100 letters, digits, `.`, `_` or `-`, starting with a letter or digit, without `..` or a trailing `.`";
}

/** Throws INVALID_REPOSITORY_NAME unless `name` is a valid repository name. */
export function checkRepositoryName(name: string): void {
  const problem = repositoryNameProblem(name);
  if (problem)
    throw invalid(
      "INVALID_REPOSITORY_NAME",
      `invalid repository name ${JSON.stringify(name)}: ${problem}`,
    );
}

/** Throws INVALID_USER_NAME unless `name` is a valid user name. */
export function checkUserName(name: string): void {
  if (!USER_NAME.test(name)) {
    throw invalid(
      "INVALID_USER_NAME",
      `invalid user name ${JSON.stringify(name)}: use 1 to 64 letters, digits, \`.\`, \`_\` or \`-\`, starting with a letter or digit`,
    );
  }
}

/**
 * Returns why `name` is not a valid bookmark name, or undefined. The rules
 * follow `git check-ref-format`: slash-separated components that do not
 * start with `.` or end with `.lock`, no `..`, no `@{`, no spaces, control
 * characters or any of `~^:?*[\`, and no leading, trailing or double slash.
 */
export function bookmarkNameProblem(name: string): string | undefined {
  if (name.length === 0) return "it is empty";
  if (name.length > MAX_BOOKMARK_LENGTH)
    return `it is longer than ${MAX_BOOKMARK_LENGTH} characters`;
  if (BOOKMARK_FORBIDDEN.test(name)) {
    return "it contains a space, a control character or one of ~ ^ : ? * [ \\";
  }
  if (name.includes("..")) return "it contains `..`";
  if (name.includes("@{") || name === "@") return "it contains `@{` or is `@`";
  if (name.startsWith("/") || name.endsWith("/") || name.includes("//")) {
    return "it starts or ends with `/` or contains `//`";
  }
  if (name.endsWith(".")) return "it ends with `.`";
  for (const component of name.split("/")) {
    if (component.startsWith(".")) return "a `/`-separated part starts with `.`";
    if (component.endsWith(".lock")) return "a `/`-separated part ends with `.lock`";
  }
  return undefined;
}

/** Throws INVALID_BOOKMARK_NAME unless `name` is a valid bookmark name. */
export function checkBookmarkName(name: string): void {
  const problem = bookmarkNameProblem(name);
  if (problem)
    throw invalid(
      "INVALID_BOOKMARK_NAME",
      `invalid bookmark name ${JSON.stringify(name)}: ${problem}`,
    );
}

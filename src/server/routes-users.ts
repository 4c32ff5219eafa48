import type { FastifyInstance } from "fastify";
import { invalid } from "../store/errors.js";
import type { AppContext } from "./app.js";
import { requireAdmin, requireUser } from "./auth.js";
import { bodyObject, booleanField, numberField, stringField } from "./body.js";
import { tokenView, userView } from "./views.js";

const DAY_MS = 24 * 60 * 60 * 1000;
/** Maximum token lifetime in days (about 100 years); longer ones overflow the dates the API returns. */
export const MAX_TOKEN_DAYS = 36500;

/** Routes for the caller (`/user`), its tokens, and user management by admins (`/users`). */
export function registerUserRoutes(app: FastifyInstance, { store }: AppContext): void {
  app.get("/user", async (request) => {
    const principal = request.principal;
    if (principal?.kind === "ci") {
      const repository = await store.getRepositoryById(principal.repositoryId);
      return {
        user: null,
        token: tokenView(principal.token),
        repository: repository?.name ?? null,
      };
    }
    const user = requireUser(request);
    return { user: userView(user), token: tokenView(principal!.token) };
  });

  app.get("/user/tokens", async (request) => {
    const user = requireUser(request);
    return { tokens: (await store.listTokens(user.id)).map(tokenView) };
  });

  app.post("/user/tokens", async (request, reply) => {
    const user = requireUser(request);
    const body = bodyObject(request);
    const description = stringField(body, "description", true) ?? "";
    const days = numberField(body, "expiresInDays");
    if (days !== undefined && days > MAX_TOKEN_DAYS) {
      throw invalid(
        "INVALID_REQUEST",
        `\`expiresInDays\` must be at most ${MAX_TOKEN_DAYS} (100 years), got ${days}`,
      );
    }
    const created = await store.createUserToken(user.id, {
      description,
      expiresAt: days === undefined ? null : Date.now() + days * DAY_MS,
    });
    return reply.status(201).send({ token: created.token, record: tokenView(created.record) });
  });

  app.delete<{ Params: { id: string } }>("/user/tokens/:id", async (request, reply) => {
    const user = requireUser(request);
    const id = Number(request.params.id);
    if (!Number.isSafeInteger(id) || id <= 0)
      throw invalid("INVALID_REQUEST", "the token id must be a number");
    await store.revokeToken(user.id, id);
    return reply.status(204).send();
  });

  app.get("/users", async (request) => {
    requireAdmin(request);
    return { users: (await store.listUsers()).map(userView) };
  });

  app.post("/users", async (request, reply) => {
    requireAdmin(request);
    const body = bodyObject(request);
    const name = stringField(body, "name");
    const admin = booleanField(body, "admin") ?? false;
    const created = await store.db.transaction(async (tx) => {
      const user = await store.createUser(name, { admin }, tx);
      const { token } = await store.createUserToken(
        user.id,
        { description: "created with the user" },
        tx,
      );
      return { user, token };
    });
    return reply.status(201).send({ user: userView(created.user), token: created.token });
  });
}

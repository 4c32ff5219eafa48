import type { FastifyInstance } from "fastify";
import type { CiService } from "../ci/service.js";
import { invalid, notFound } from "../store/errors.js";
import type { AppContext } from "./app.js";
import { requireUser, writableRepository } from "./auth.js";
import { bodyObject } from "./body.js";

type SecretParams = { Params: { name: string; secret: string } };

/**
 * Routes of repository secrets. Every one needs write access to the
 * repository: secret names are not public, and a value is returned only to
 * those who could replace it anyway. A CI token can never read them.
 * Listing returns names and times, never values.
 */
export function registerSecretRoutes(
  app: FastifyInstance,
  { store }: AppContext,
  ci: CiService | undefined,
): void {
  const secrets = () => {
    if (!ci) throw notFound("CI_DISABLED", "CI is not enabled on this server");
    return ci.secrets;
  };

  app.get<{ Params: { name: string } }>("/repository/:name/secrets", async (request) => {
    const repository = await writableRepository(store, request, request.params.name);
    const list = await secrets().list(repository.id);
    return {
      secrets: list.map((secret) => ({
        name: secret.name,
        createdAt: new Date(secret.createdAt).toISOString(),
        updatedAt: new Date(secret.updatedAt).toISOString(),
      })),
    };
  });

  app.get<SecretParams>("/repository/:name/secrets/:secret", async (request, reply) => {
    const repository = await writableRepository(store, request, request.params.name);
    const value = await secrets().get(repository.id, request.params.secret);
    request.log.info(
      {
        repository: repository.name,
        secret: request.params.secret,
        user: requireUser(request).name,
      },
      "secret read",
    );
    return reply.header("cache-control", "no-store").send({ name: request.params.secret, value });
  });

  app.put<SecretParams>("/repository/:name/secrets/:secret", async (request, reply) => {
    const repository = await writableRepository(store, request, request.params.name);
    const value = bodyObject(request).value;
    if (typeof value !== "string") throw invalid("INVALID_REQUEST", "`value` must be a string");
    const user = requireUser(request);
    const { created } = await secrets().set(repository.id, request.params.secret, value, user.id);
    request.log.info(
      { repository: repository.name, secret: request.params.secret, user: user.name, created },
      "secret set",
    );
    return reply.status(created ? 201 : 200).send({ name: request.params.secret, created });
  });

  app.delete<SecretParams>("/repository/:name/secrets/:secret", async (request) => {
    const repository = await writableRepository(store, request, request.params.name);
    await secrets().delete(repository.id, request.params.secret);
    request.log.info(
      {
        repository: repository.name,
        secret: request.params.secret,
        user: requireUser(request).name,
      },
      "secret deleted",
    );
    return { name: request.params.secret, deleted: true };
  });
}

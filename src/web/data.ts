import type { Repository } from "../store/records.js";
import type { Store } from "../store/store.js";
import type {
  BookmarkRow,
  RepositoryPage,
  RepositorySummary,
  RunFilter,
  RunPage,
  RunsPage,
} from "./model.js";
import type { RunHistoryReader } from "./run-history.js";

/** RUNS_PAGE_SIZE is how many pipelines one page of the runs list shows. */
export const RUNS_PAGE_SIZE = 50;

/** Loads the view models of the pages from the store and the run history. */
export class PageData {
  private readonly store: Store;
  private readonly runs: RunHistoryReader;

  constructor(store: Store, runs: RunHistoryReader) {
    this.store = store;
    this.runs = runs;
  }

  async summary(repository: Repository): Promise<RepositorySummary> {
    const owner = await this.store.getUserById(repository.ownerId);
    return {
      name: repository.name,
      isPrivate: repository.isPrivate,
      owner: owner?.name ?? null,
      createdAt: repository.createdAt,
    };
  }

  async repositories(canRead: (repository: Repository) => boolean): Promise<RepositorySummary[]> {
    const visible = (await this.store.listRepositories()).filter(canRead);
    const owners = new Map<number, string | null>();
    const summaries: RepositorySummary[] = [];
    for (const repository of visible) {
      if (!owners.has(repository.ownerId)) {
        owners.set(
          repository.ownerId,
          (await this.store.getUserById(repository.ownerId))?.name ?? null,
        );
      }
      summaries.push({
        name: repository.name,
        isPrivate: repository.isPrivate,
        owner: owners.get(repository.ownerId) ?? null,
        createdAt: repository.createdAt,
      });
    }
    return summaries;
  }

  async repositoryPage(repository: Repository, publicUrl: string): Promise<RepositoryPage> {
    const bookmarks = await this.store.listBookmarks(repository);
    const latest = await this.runs.latestRuns(
      repository.id,
      bookmarks.map((bookmark) => bookmark.name),
    );
    const rows: BookmarkRow[] = [];
    for (const bookmark of bookmarks) {
      const revision = await this.store.getRevision(repository, bookmark.revisionId);
      rows.push({
        name: bookmark.name,
        revisionId: bookmark.revisionId,
        updatedAt: bookmark.updatedAt,
        author: revision?.author ?? "",
        description: revision?.description ?? "",
        latestRun: latest.get(bookmark.name) ?? null,
      });
    }
    return { repository: await this.summary(repository), bookmarks: rows, publicUrl };
  }

  async runsPage(repository: Repository, filter: RunFilter, page: number): Promise<RunsPage> {
    let { pipelines, total } = await this.runs.listPipelines(
      repository.id,
      filter,
      (page - 1) * RUNS_PAGE_SIZE,
      RUNS_PAGE_SIZE,
    );
    // A page past the end shows the last page rather than an empty table.
    const last = Math.max(1, Math.ceil(total / RUNS_PAGE_SIZE));
    if (page > last) {
      page = last;
      ({ pipelines, total } = await this.runs.listPipelines(
        repository.id,
        filter,
        (page - 1) * RUNS_PAGE_SIZE,
        RUNS_PAGE_SIZE,
      ));
    }
    return {
      repository: await this.summary(repository),
      filter,
      pipelines,
      page,
      pageSize: RUNS_PAGE_SIZE,
      total,
    };
  }

  async runPage(
    repository: Repository,
    runId: string,
    canCancel: boolean,
  ): Promise<RunPage | undefined> {
    const run = await this.runs.getRun(repository.id, runId);
    if (!run) return undefined;
    return { repository: await this.summary(repository), run, canCancel };
  }
}

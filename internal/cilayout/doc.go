// Package cilayout lays out working copies exactly as CI runners do, for
// end-to-end tests. A bare repository stands for the host (GitHub or
// GitLab), with the refs the host itself keeps: refs/pull/N/head and a real
// test merge commit at refs/pull/N/merge, or refs/merge-requests/N/head,
// refs/merge-requests/N/merge and the pipelines' refs/pipelines/ID. A run
// is laid out by the git CLI with the same commands, refspecs, depth and
// checkout as the runner, and comes with the variables the runner sets and
// the event payload GitHub writes to GITHUB_EVENT_PATH.
//
// Sources (read, not copied):
//
//   - actions/checkout v4: src/input-helper.ts (ref and commit come from
//     GITHUB_REF and GITHUB_SHA; an unqualified ref of a merged pull request
//     becomes refs/heads/<ref>; fetch-depth defaults to 1),
//     src/git-source-provider.ts (git init, remote add origin, gc.auto 0,
//     the auth header in .git/config, one fetch, then checkout),
//     src/ref-helper.ts (getRefSpec: +SHA:refs/remotes/origin/<branch> or
//     +SHA:refs/remotes/pull/N/merge; getRefSpecForAllHistory at depth 0:
//     +refs/heads/*:refs/remotes/origin/*, +refs/tags/*:refs/tags/* and the
//     pull request's ref; getCheckoutInfo: -B <branch> refs/remotes/origin/<branch>
//     for branches, a detached refs/remotes/pull/N/merge for pull requests),
//     src/git-command-manager.ts (fetch flags: -c protocol.version=2 fetch
//     --no-tags --prune --no-recurse-submodules --progress --depth=N origin;
//     checkout --progress --force), src/git-auth-helper.ts
//     (http.<server>/.extraheader "AUTHORIZATION: basic base64(x-access-token:TOKEN)").
//   - GitHub docs, "Events that trigger workflows" (pull_request: GITHUB_SHA is
//     the last merge commit of refs/pull/N/merge, GITHUB_REF is that ref; a
//     pull request closed by merging has GITHUB_REF set to the base branch,
//     refs/heads/<base>, and GITHUB_SHA its merge commit; closed unmerged
//     keeps refs/pull/N/merge; push: the pushed ref and its tip) and
//     "Variables" (GITHUB_HEAD_REF and GITHUB_BASE_REF only for pull
//     requests, GITHUB_REF_NAME is "N/merge" for them), and the webhook
//     payloads of pull_request (action, number, pull_request.merged,
//     merge_commit_sha, head.sha, head.ref, head.repo.full_name, base.sha,
//     base.ref) and push (ref, before, after, commits, head_commit).
//   - GitLab Runner: shells/abstract.go (writeRefspecFetchCmd: git init with
//     a template, remote add origin, git fetch origin --no-recurse-submodules
//     <refspecs> --depth N --prune --quiet, --unshallow at depth 0 on a
//     shallow copy; writeCheckoutCmd: git checkout -f -q <sha>, a detached
//     HEAD; git clean -ffdx), common/build_settings.go (fetch and clean
//     flag defaults).
//   - GitLab: app/presenters/ci/build_runner_presenter.rb (refspecs: always
//     +refs/pipelines/ID:refs/pipelines/ID; with a depth, the branch's
//     +refs/heads/B:refs/remotes/origin/B for branch pipelines only, so a
//     merge request pipeline fetches its pipeline ref alone; at depth 0 every
//     branch and tag), app/models/ci/pipeline.rb (predefined variables:
//     CI_COMMIT_BRANCH for branch pipelines only, CI_COMMIT_REF_NAME the
//     source branch, CI_MERGE_REQUEST_SOURCE_BRANCH_SHA and _TARGET_BRANCH_SHA
//     empty except in merged results pipelines, CI_OPEN_MERGE_REQUESTS as
//     group/project!IID), app/models/ci/persistent_ref.rb (refs/pipelines/ID),
//     and doc/ci/variables/predefined_variables.md.
package cilayout

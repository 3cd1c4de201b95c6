# `npm run -s ci:affected -- --json` → the `pipeline` job's matrix (ci.yml): one entry per affected service, saying
# what its pipeline (service-pipeline.yml) runs — what the ci:affected table's CHECKS, REBUILD and DEPLOY columns show.
#   checks   the check targets its fast tests run: those the change reaches ("" runs none)
#   deliver  build the artifact, then the slow tests and perf: the change reaches a delivery stage (a target that is
#            not a check; a new artifact, a deploy, or a pipeline.json change reaching slow-test and perf)
#   deploy   promote it through the environments: a new artifact, or its deploy configuration changed
{
  include: [
    .services[]
    | {service: .name, checks: (.checks | join(",")), deliver: ((.targets - .checks | length) > 0), deploy: .deploy}
  ]
}

import DRGWCore
import DRGWStore
import Hummingbird
import Logging
import ServiceLifecycle

/// Drill evidence wired once: the recorder, the cleanup sweeper, the scheduler and their routes.
struct EvidenceServices {
    let recorder: EvidenceRecorder
    let sweeper: DrillSweeper
    let scheduler: DrillScheduler
    let reports: any DrillReportStore
    let schedules: any ScheduleStore
    let registry: AccountRegistry
    let writes: WriteCoordinator

    init(
        store: some DrillReportStore & ScheduleStore & OperationStore, registry: AccountRegistry, writes: WriteCoordinator,
        config: GatewayConfig, logger: Logger
    ) {
        let metrics = EvidenceMetrics(registry: GatewayMetrics.registry, accounts: config.accounts.map(\.id))
        let recorder = EvidenceRecorder(reports: store, registry: registry, metrics: metrics, settings: config.evidence, logger: logger)
        self.recorder = recorder
        self.sweeper = DrillSweeper(
            reports: store, operations: store, registry: registry, writes: writes, recorder: recorder, metrics: metrics,
            settings: config.evidence, logger: logger)
        self.scheduler = DrillScheduler(
            schedules: store, reports: store, registry: registry, writes: writes, recorder: recorder, settings: config.evidence,
            logger: logger)
        self.reports = store
        self.schedules = store
        self.registry = registry
        self.writes = writes
    }

    /// The background services: the sweeper and the scheduler.
    var services: [any Service] { [sweeper, scheduler] }

    func addRoutes(to group: RouterGroup<GatewayRequestContext>) {
        ReportsController(registry: registry, reports: reports, recorder: recorder).addRoutes(to: group)
        SchedulesController(registry: registry, schedules: schedules, reports: reports, writes: writes, recorder: recorder)
            .addRoutes(to: group)
    }
}

import type { components, paths } from './schema';

type S = components['schemas'];
export type Me = S['Me'];
export type MySchool = S['MySchool'];
export type Place = S['Place'];
export type PersonRef = S['PersonRef'];
export type SignInCode = S['SignInCode'];
export type ContactChangePending = S['ContactChangePending'];
export type ConsentText = S['ConsentText'];
export type ConsentGiven = S['ConsentGiven'];
export type ClassRef = S['ClassRef'];
export type SchoolClass = S['Class'];
export type Unit = S['Unit'];
export type School = S['School'];
export type Member = S['Member'];
export type MemberRole = S['MemberRole'];
export type StaffRole = S['StaffRole'];
export type InviteRole = S['InviteRole'];
export type Invite = S['Invite'];
export type CreatedInvite = S['CreatedInvite'];
export type InvitePreview = S['InvitePreview'];
export type JoinOutcome = S['JoinOutcome'];
export type RosterImport = S['RosterImport'];
export type RosterRow = S['RosterRow'];
export type RosterLink = S['RosterLink'];
export type RosterWaiting = S['RosterWaiting'];
export type RosterChange = S['RosterChange'];
export type RosterCounts = S['RosterCounts'];
export type RosterPerson = S['RosterPerson'];
export type JoinRequest = S['JoinRequest'];
export type Admin = S['Admin'];
export type AuditEntry = S['AuditEntry'];
export type Application = S['Application'];
export type ApplicationApproved = S['ApplicationApproved'];
export type SessionInfo = S['SessionInfo'];
export type SessionCreated = S['SessionCreated'];
export type Problem = S['Problem'];
export type Chat = S['Chat'];
export type ChatSilence = S['ChatSilence'];
export type PushDevice = S['PushDevice'];
export type ChatKind = S['ChatKind'];
export type ChatRole = S['ChatRole'];
export type ChatMember = S['ChatMember'];
export type Message = S['Message'];
export type MessagePage = S['MessagePage'];
export type Poll = S['Poll'];
export type PollOption = S['PollOption'];
export type Reaction = S['Reaction'];
export type AckStatus = S['AckStatus'];
export type FileInfo = S['FileInfo'];
export type MessageVersion = S['MessageVersion'];
export type Report = S['Report'];
export type QuietHours = S['QuietHours'];
export type AcademicYear = S['AcademicYear'];
export type AcademicPeriod = S['AcademicPeriod'];
export type DayOff = S['DayOff'];
export type DayOffKind = S['DayOffKind'];
export type PeriodKind = S['PeriodKind'];
export type Bell = S['Bell'];
export type YearRequest = S['YearRequest'];
export type BellsRequest = S['BellsRequest'];
export type Subject = S['Subject'];
export type SubjectChange = S['SubjectChange'];
export type Week = S['Week'];
export type WeekDay = S['WeekDay'];
export type WeekLesson = S['WeekLesson'];
export type GradeType = S['GradeType'];
export type Grade = S['Grade'];
export type Lesson = S['Lesson'];
export type LessonPage = S['LessonPage'];
export type LessonStudent = S['LessonStudent'];
export type AttendanceEntry = S['AttendanceEntry'];
export type AttendanceRequest = S['AttendanceRequest'];
export type GradesRequest = S['GradesRequest'];
export type Assignment = S['Assignment'];
export type JournalGrid = S['JournalGrid'];
export type GridRow = S['GridRow'];
export type GridCell = S['GridCell'];
export type GridLesson = S['GridLesson'];
export type DiaryWeek = S['DiaryWeek'];
export type DiaryDay = S['DiaryDay'];
export type DiaryLesson = S['DiaryLesson'];
export type Homework = S['Homework'];
export type HomeworkRequest = S['HomeworkRequest'];
export type DueHomework = S['DueHomework'];
export type HomeworkLoad = S['HomeworkLoad'];
export type LessonDeadlines = S['LessonDeadlines'];
export type Regulations = S['Regulations'];
export type ComplianceReport = S['ComplianceReport'];
export type ComplianceCounts = S['ComplianceCounts'];
export type FlaggedLesson = S['FlaggedLesson'];
export type OverloadedDay = S['OverloadedDay'];
export type RegulationsView = S['RegulationsView'];
export type Submission = S['Submission'];
export type SubmissionStatus = S['SubmissionStatus'];
export type StudentSubmission = S['StudentSubmission'];
export type LessonSubmissions = S['LessonSubmissions'];
export type HandInRequest = S['HandInRequest'];
export type Call = S['Call'];
export type CallParticipant = S['CallParticipant'];
export type CallMediaKind = S['CallMediaKind'];
/** How a receiver shows another's video (`call_view`): large, small or hidden. */
export type CallTileView = S['CallView'];
export type CallLeftReason = S['CallLeftReason'];
export type IceServer = S['IceServer'];
export type IceTransportPolicy = S['IceTransportPolicy'];
export type CallKind = S['CallKind'];
export type Absence = S['Absence'];
export type AttendanceChange = S['AttendanceChange'];
export type OnlineLesson = S['OnlineLesson'];
export type OnlineStudent = S['OnlineStudent'];
export type ScheduleCallRequest = S['ScheduleCallRequest'];

// The frames of the realtime connection, /api/v1/ws.
export type ServerFrame = S['ServerFrame'];
export type ClientFrame = S['ClientFrame'];
export type ChatEvent = S['ChatEvent'];
export type UserEvent = S['UserEvent'];
export type Notification = S['Notification'];
export type NotificationPage = S['NotificationPage'];
export type AwaitingAck = S['AwaitingAck'];
export type ChatPosition = S['ChatPosition'];

export type Paths = paths;
export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** Paths that have an operation for the method. */
export type PathsWith<M extends Method> = {
  [P in keyof paths]: paths[P][M] extends { responses: unknown } ? P : never;
}[keyof paths];

type Op<P extends keyof paths, M extends Method> = paths[P][M];

/** The JSON request body of an operation (never when it takes none). */
export type BodyOf<P extends keyof paths, M extends Method> =
  Op<P, M> extends { requestBody: { content: { 'application/json': infer B } } }
    ? B
    : Op<P, M> extends { requestBody?: { content: { 'application/json': infer B } } }
      ? B
      : never;

type JsonOf<R> = R extends { content: { 'application/json': infer J } } ? J : void;

/** The JSON body of the success answer (200, 201 or 202; void for 204). */
export type ResultOf<P extends keyof paths, M extends Method> =
  Op<P, M> extends { responses: infer R }
    ? 200 extends keyof R
      ? JsonOf<R[200]>
      : 201 extends keyof R
        ? JsonOf<R[201]>
        : 202 extends keyof R
          ? JsonOf<R[202]>
          : void
    : never;
export type Order = S['Order'];
export type OrderRequest = S['OrderRequest'];
export type RemoteLesson = S['RemoteLesson'];
export type OfflineStudent = S['OfflineStudent'];
export type OfflineRequest = S['OfflineRequest'];
export type IndividualAssignment = S['IndividualAssignment'];
export type IndividualRequest = S['IndividualRequest'];
export type GridIndividual = S['GridIndividual'];
export type YearTransitionRequest = S['YearTransitionRequest'];
export type YearTransitionPlan = S['YearTransitionPlan'];
export type TransitionException = S['TransitionException'];
export type ExceptionAction = S['ExceptionAction'];
export type PlannedException = S['PlannedException'];
export type Webhook = S['Webhook'];
export type OidcProvider = S['OidcProvider'];
export type OidcLink = S['OidcLink'];
export type CreatedWebhook = S['CreatedWebhook'];
export type WebhookDelivery = S['WebhookDelivery'];

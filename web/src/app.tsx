import { useEffect } from 'preact/hooks';
import { chunk, closeDialog, DialogHost, Lazy, Loading, PageTitle } from './components/ui';
import { fullName } from './format';
import { lang, t, tn } from './i18n';
import { currentPath, matchRoute, navigate, queryParam } from './router';
import { canManage, chooseLanguage, chooseSchool, currentSchool, homePath, logout, managesSchoolYear, me, onlyCurator, readsCompliance } from './state';
import { unreadTotal } from './chat/store';
import { bellUnread } from './notifications/bell';
import { ChatInvitePage } from './pages/chat-invite';
import { ChatsPage } from './pages/chats';
import { SearchPage } from './pages/chat-search';
import { ApplyPage, JoinPage, LoginPage, SetPasswordPage } from './pages/entry';
import { ProfilePage } from './pages/profile';
import { diaryStudents, teaches } from './journal/who';

// The teacher's lessons and the diary are chunks of their own, fetched when first opened.
// The school's console and the operator's pages are for the few who run things: their own chunks.
const consoleChunk = chunk(() => import('./pages/school/console'));
const operatorChunk = chunk(() => import('./pages/operator'));
const lessonsChunk = chunk(() => import('./pages/lessons'));
const diaryChunk = chunk(() => import('./pages/diary'));
const journalChunk = chunk(() => import('./pages/journal/grid'));
const callChunk = chunk(() => import('./pages/call/call'));
// The education authorities: the curator's comparison and the operator's pages.
const authorityChunk = chunk(() => import('./pages/authority/authority'));
const authoritiesChunk = chunk(() => import('./pages/authority/operator'));
// The notification centre the bell opens.
const notificationsChunk = chunk(() => import('./pages/notifications/notifications'));
// «Забыли пароль?», reached from the login page.
const forgotChunk = chunk(() => import('./pages/forgot-password'));
const unsubscribeChunk = chunk(() => import('./pages/unsubscribe'));

/** Who opens the class journal: whoever teaches, the class teachers and the administration. */
function readsJournal(s: Parameters<typeof teaches>[0]): boolean {
  return teaches(s) || canManage(s);
}

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, true), [to]);
  return null;
}

function LangSwitch() {
  return (
    <div class="lang" role="group" aria-label={t('shell.language')}>
      {(['ru', 'en'] as const).map((l) => (
        <button key={l} type="button" class="lang-btn" aria-pressed={lang.value === l} lang={l} onClick={() => void chooseLanguage(l)}>
          {l === 'ru' ? 'RU' : 'EN'}
          <span class="visually-hidden"> — {l === 'ru' ? 'Русский' : 'English'}</span>
        </button>
      ))}
    </div>
  );
}

/** A bell drawn in the text colour (kept here: the header's only icon). */
function BellIcon() {
  return (
    <svg width={22} height={22} viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width={2} stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">
      <path d="M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9" />
      <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" />
    </svg>
  );
}

/** The bell: opens the notification centre; its name says how many are unread. */
function Bell({ path }: { path: string }) {
  const n = bellUnread.value;
  return (
    <button
      type="button"
      class="bell"
      aria-label={n ? tn('shell.notifications_new', n) : t('shell.notifications')}
      aria-current={path.startsWith('/notifications') ? 'page' : undefined}
      data-unread={n}
      onClick={() => navigate('/notifications')}
    >
      <BellIcon />
      {n ? (
        <span class="bell-count" aria-hidden="true">
          {n > 99 ? '99+' : n}
        </span>
      ) : null}
    </button>
  );
}

function Header({ path }: { path: string }) {
  const m = me.value;
  const school = currentSchool.value;
  const nav: { href: string; label: string; active: boolean; count?: number }[] = [];
  if (m) {
    // A curator with no school of their own reads figures only: no chats.
    if (!onlyCurator(m)) nav.push({ href: '/chats', label: t('shell.chats'), active: path.startsWith('/chats') || path.startsWith('/search'), count: unreadTotal() });
    if (teaches(school)) nav.push({ href: '/lessons', label: t('shell.lessons'), active: path.startsWith('/lessons') });
    if (readsJournal(school)) nav.push({ href: '/journal', label: t('shell.journal'), active: path.startsWith('/journal') });
    if (diaryStudents(m, school).length) nav.push({ href: '/diary', label: t('shell.diary'), active: path.startsWith('/diary') });
    if (school && canManage(school))
      nav.push({ href: `/school/${school.org_id}`, label: school.is_admin || managesSchoolYear(school) || readsCompliance(school) ? t('shell.console') : t('shell.class_console'), active: path.startsWith('/school/') });
    if (m.authorities.length && !m.is_operator)
      nav.push({ href: `/authority/${m.authorities[0]!.id}`, label: t('shell.authority'), active: path.startsWith('/authority/') });
    if (m.is_operator) nav.push({ href: '/operator', label: t('shell.operator'), active: path.startsWith('/operator') });
    nav.push({ href: '/profile', label: t('shell.profile'), active: path.startsWith('/profile') });
  }
  return (
    <header class="header">
      <a class="skip" href="#main">
        {t('shell.skip')}
      </a>
      <div class="header-inner">
        <a class="brand" href="/">
          <img src="/icons/icon.svg" alt="" width={28} height={28} />
          <span>{t('app.name')}</span>
        </a>
        {m && m.schools.length > 1 ? (
          <div class="school-switch">
            <label for="school-switch" class="visually-hidden">
              {t('shell.school')}
            </label>
            <select
              id="school-switch"
              value={String(school?.org_id ?? '')}
              onChange={(e) => {
                const id = Number((e.currentTarget as HTMLSelectElement).value);
                chooseSchool(id);
                const s = m.schools.find((x) => x.org_id === id);
                if (path.startsWith('/school/')) navigate(s && canManage(s) ? `/school/${id}` : '/profile');
                else if (path.startsWith('/chats/')) navigate('/chats');
                else if (path.startsWith('/lessons')) navigate(s && teaches(s) ? '/lessons' : '/profile');
                else if (path.startsWith('/journal')) navigate(s && readsJournal(s) ? '/journal' : '/profile');
                else if (path.startsWith('/diary')) navigate(s && diaryStudents(m, s).length ? '/diary' : '/profile');
              }}
            >
              {m.schools.map((s) => (
                <option key={s.org_id} value={String(s.org_id)}>
                  {s.short_name}
                </option>
              ))}
            </select>
          </div>
        ) : m && school ? (
          <span class="school-name">{school.short_name}</span>
        ) : null}
        <div class="header-tools">
          {m ? <Bell path={path} /> : null}
          <LangSwitch />
          {m ? (
            <button
              type="button"
              class="btn btn--ghost"
              onClick={async () => {
                await logout();
                navigate('/login');
              }}
            >
              {t('shell.logout')}
            </button>
          ) : path.startsWith('/login') ? null : (
            <a class="btn btn--ghost" href={`/login${path.startsWith('/join/') ? `?next=${encodeURIComponent(path)}` : ''}`}>
              {t('login.submit')}
            </a>
          )}
        </div>
      </div>
      {nav.length ? (
        <nav class="mainnav" aria-label={t('shell.nav')}>
          {nav.map((n) => (
            <a key={n.href} href={n.href} aria-current={n.active ? 'page' : undefined}>
              {n.label}
              {n.count ? (
                <>
                  <span class="nav-count" aria-hidden="true" data-unread-total={n.count}>
                    {n.count}
                  </span>
                  <span class="visually-hidden">, {tn('shell.unread', n.count)}</span>
                </>
              ) : null}
            </a>
          ))}
          {m ? <span class="who">{fullName(m)}</span> : null}
        </nav>
      ) : null}
    </header>
  );
}

function NotFound() {
  return (
    <div class="narrow">
      <PageTitle>{t('notfound.title')}</PageTitle>
      <p>
        <a href="/">{t('join.to_home')}</a>
      </p>
    </div>
  );
}

function Routes({ path }: { path: string }) {
  const m = me.value;
  let r;
  if ((r = matchRoute('/join/:token', path))) return <JoinPage token={r.token!} />;
  if (matchRoute('/apply', path)) return <ApplyPage />;
  if (matchRoute('/set-password', path)) return <SetPasswordPage />;
  if (matchRoute('/forgot-password', path)) return <Lazy load={forgotChunk} render={(c) => <c.ForgotPasswordPage />} />;
  if (matchRoute('/unsubscribe', path)) return <Lazy load={unsubscribeChunk} render={(c) => <c.UnsubscribePage />} />;
  if (matchRoute('/login', path)) return m ? <Redirect to={homePath(m)} /> : <LoginPage />;
  if (m === undefined) return <Loading />;
  if (!m) {
    const known = ['/', '/chats', '/chats/:id', '/search', '/profile', '/school/:org/:tab?', '/operator', '/operator/audit', '/operator/authorities', '/operator/statistics', '/authority/:id', '/operator/applications/:id', '/chat-invite/:token', '/lessons', '/lessons/:id', '/diary', '/diary/marks', '/journal', '/calls/:id', '/notifications'].some((p) => matchRoute(p, path));
    if (!known) return <NotFound />;
    return <Redirect to={path === '/' ? '/login' : `/login?next=${encodeURIComponent(path)}`} />;
  }
  if (matchRoute('/', path)) return <Redirect to={homePath(m)} />;
  if (matchRoute('/profile', path)) return <ProfilePage />;
  if ((r = matchRoute('/chats/:id?', path))) return <ChatsPage chatId={r.id} />;
  if (matchRoute('/search', path)) return <SearchPage />;
  if (matchRoute('/notifications', path)) return <Lazy load={notificationsChunk} render={(c) => <c.NotificationsPage />} />;
  if ((r = matchRoute('/calls/:id', path)) && Number.isFinite(Number(r.id))) {
    const id = Number(r.id);
    return <Lazy load={callChunk} render={(c) => <c.CallPage key={id} callId={id} />} />;
  }
  if ((r = matchRoute('/chat-invite/:token', path))) return <ChatInvitePage key={r.token} token={r.token!} />;
  const school = currentSchool.value;
  const query = path.includes('?') ? path.slice(path.indexOf('?')) : '';
  if (matchRoute('/lessons', path) && school && teaches(school))
    return <Lazy load={lessonsChunk} render={(c) => <c.LessonsWeek key={school.org_id} school={school} date={queryParam(query, 'date')} />} />;
  // Whoever reads the whole school's journal opens a lesson from «Соблюдение положения» (read-only unless theirs).
  if ((r = matchRoute('/lessons/:id', path)) && school && (teaches(school) || readsCompliance(school))) {
    const id = Number(r.id);
    return <Lazy load={lessonsChunk} render={(c) => <c.LessonScreen key={`${school.org_id}-${id}`} school={school} lessonId={id} />} />;
  }
  if (matchRoute('/journal', path) && school && readsJournal(school))
    return (
      <Lazy
        load={journalChunk}
        render={(c) => <c.JournalScreen key={school.org_id} school={school} assignment={queryParam(query, 'assignment')} period={queryParam(query, 'period')} />}
      />
    );
  if (matchRoute('/diary/marks', path) && school && diaryStudents(m, school).length)
    return <Lazy load={diaryChunk} render={(c) => <c.DiaryMarksPage key={school.org_id} school={school} student={queryParam(query, 'student')} types={() => c.gradeTypes(school.org_id)} />} />;
  if (matchRoute('/diary', path) && school && diaryStudents(m, school).length)
    return (
      <Lazy
        load={diaryChunk}
        render={(c) => <c.DiaryPage key={school.org_id} school={school} student={queryParam(query, 'student')} date={queryParam(query, 'date')} />}
      />
    );
  if ((r = matchRoute('/school/:org/:tab?', path))) {
    const s = m.schools.find((x) => String(x.org_id) === r!.org);
    if (!s || !canManage(s)) return <NotFound />;
    if (currentSchool.value?.org_id !== s.org_id) chooseSchool(s.org_id);
    const tab = r.tab;
    return <Lazy load={consoleChunk} render={(c) => <c.SchoolConsole key={s.org_id} school={s} tab={tab} />} />;
  }
  if ((r = matchRoute('/authority/:id', path)) && (m.is_operator || m.authorities.some((a) => String(a.id) === r!.id))) {
    const id = Number(r.id);
    return <Lazy load={authorityChunk} render={(c) => <c.AuthorityPage key={id} id={id} operator={m.is_operator} />} />;
  }
  if (m.is_operator) {
    if (matchRoute('/operator', path)) return <Lazy load={operatorChunk} render={(c) => <c.OperatorPage />} />;
    if (matchRoute('/operator/authorities', path)) return <Lazy load={authoritiesChunk} render={(c) => <c.AuthoritiesPage />} />;
    if (matchRoute('/operator/statistics', path)) return <Lazy load={authoritiesChunk} render={(c) => <c.PlatformPage />} />;
    if (matchRoute('/operator/audit', path)) return <Lazy load={operatorChunk} render={(c) => <c.OperatorAuditPage />} />;
    if ((r = matchRoute('/operator/applications/:id', path))) {
      const id = r.id!;
      return <Lazy load={operatorChunk} render={(c) => <c.ApplicationPage key={id} id={id} />} />;
    }
  }
  return <NotFound />;
}

export function App() {
  const path = currentPath.value;
  void lang.value; // re-render every text when the language changes
  useEffect(() => {
    closeDialog();
    document.querySelector<HTMLElement>('h1.page-title')?.focus({ preventScroll: true });
  }, [path]);
  return (
    <>
      <Header path={path} />
      <main id="main" class="main">
        <Routes path={path} />
      </main>
      <footer class="footer">
        <span>{t('app.name')}</span> · <a href="/apply">{t('apply.link')}</a>
      </footer>
      <DialogHost />
    </>
  );
}

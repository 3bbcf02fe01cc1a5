//! Messages the server itself writes (problem details), in Russian and English.
//! Russian is the default; a request whose Accept-Language prefers English gets English.

use axum::http::{HeaderMap, header};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Ru,
    En,
}

impl Lang {
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Ru => "ru",
            Lang::En => "en",
        }
    }

    /// Picks the preferred of the two languages we speak by q-value; Russian on a tie or nothing.
    pub fn from_headers(headers: &HeaderMap) -> Lang {
        let Some(value) = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()) else {
            return Lang::Ru;
        };
        let mut best = (Lang::Ru, -1.0f32);
        for part in value.split(',') {
            let mut pieces = part.trim().split(';');
            let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = pieces.find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.parse::<f32>().ok())).unwrap_or(1.0);
            let lang = if tag == "ru" || tag.starts_with("ru-") {
                Lang::Ru
            } else if tag == "en" || tag.starts_with("en-") {
                Lang::En
            } else {
                continue;
            };
            if q > best.1 {
                best = (lang, q);
            }
        }
        best.0
    }
}

/// The `detail` of a problem document, by its stable code.
pub fn problem_detail(code: &str, lang: Lang) -> &'static str {
    let (ru, en) = match code {
        "validation_failed" => ("Проверьте заполнение полей.", "Some fields are not filled in correctly."),
        "not_found" => ("Не найдено.", "Not found."),
        "forbidden" => ("Недостаточно прав для этого действия.", "You are not allowed to do this."),
        "unauthenticated" => ("Войдите в систему.", "Please sign in."),
        "invalid_credentials" => ("Неверный логин или пароль.", "Wrong login or password."),
        "too_many_attempts" => {
            ("Слишком много неудачных попыток. Попробуйте позже.", "Too many failed attempts. Please try again later.")
        }
        "server_busy" => (
            "Сервер сейчас перегружен входами. Повторите через несколько секунд.",
            "The server is busy with sign-ins right now. Try again in a few seconds.",
        ),
        "csrf_failed" => (
            "Запрос отклонён: обновите страницу и повторите.",
            "The request was refused: reload the page and try again.",
        ),
        "method_not_allowed" => ("Этот метод здесь не поддерживается.", "This method is not allowed here."),
        "payload_too_large" => ("Слишком большой запрос или файл.", "The request or file is too large."),
        "unsupported_media_type" => (
            "Неподдерживаемый тип содержимого: данные отправляются как application/json, файлы — как multipart/form-data.",
            "Unsupported content type: data is sent as application/json, files as multipart/form-data.",
        ),
        "invalid_body" => {
            ("Тело запроса не соответствует формату.", "The request body does not match the expected format.")
        }
        "malformed_body" => ("Тело запроса — не корректный JSON.", "The request body is not valid JSON."),
        "bad_request" => ("Некорректный запрос.", "Bad request."),
        "timeout" => ("Время ожидания истекло.", "The request timed out."),
        "internal" => ("Внутренняя ошибка сервера. Мы уже знаем о ней.", "Internal server error. It has been logged."),
        "invite_not_found" => (
            "Ссылка-приглашение не найдена. Проверьте, что она скопирована полностью.",
            "Invite link not found. Check that it was copied in full.",
        ),
        "invite_expired" => (
            "Срок действия ссылки-приглашения истёк. Попросите новую ссылку.",
            "This invite link has expired. Ask for a new one.",
        ),
        "invite_revoked" => (
            "Ссылка-приглашение аннулирована. Попросите новую ссылку.",
            "This invite link has been revoked. Ask for a new one.",
        ),
        "invite_used_up" => (
            "По этой ссылке уже присоединилось максимальное число участников. Попросите новую ссылку.",
            "This invite link has been used the maximum number of times. Ask for a new one.",
        ),
        "already_member" => (
            "Этот человек уже состоит в этом классе в этой роли.",
            "This person already holds this role in this class.",
        ),
        "invite_child_left" => (
            "Ребёнок, для родителей которого создана ссылка, больше не учится в этом классе. Попросите новую ссылку.",
            "The child this parent link was made for is no longer in the class. Ask for a new link.",
        ),
        "own_child" => ("Нельзя присоединиться родителем к самому себе.", "You cannot join as your own parent."),
        "join_request_pending" => {
            ("Ваша заявка на вступление уже ожидает решения.", "Your join request is already waiting for a decision.")
        }
        "account_exists" => (
            "Учётная запись с таким телефоном или e-mail уже есть. Войдите, чтобы принять приглашение.",
            "An account with this phone or e-mail already exists. Sign in to accept the invite.",
        ),
        "contact_required" => ("Укажите телефон или e-mail.", "Give a phone number or an e-mail address."),
        "last_admin" => (
            "Нельзя оставить школу без администратора: сначала назначьте другого.",
            "A school cannot be left without an admin: appoint another one first.",
        ),
        "already_admin" => ("Этот сотрудник уже администратор.", "This person is already an admin."),
        "not_admin" => ("Этот человек не администратор школы.", "This person is not an admin of the school."),
        "not_staff" => {
            ("Действие возможно только для работника школы.", "This is only possible for a member of staff.")
        }
        "not_student" => ("Этот человек не обучающийся класса.", "This person is not a student of the class."),
        "not_member" => ("Этот человек не состоит в школе.", "This person is not a member of the school."),
        "not_teacher" => ("Этот человек не учитель школы.", "This person is not a teacher of the school."),
        "already_class_teacher" => {
            ("Этот учитель уже классный руководитель этого класса.", "This teacher already leads this class.")
        }
        "not_class_teacher" => {
            ("Этот учитель не классный руководитель этого класса.", "This teacher does not lead this class.")
        }
        "same_class" => ("Обучающийся уже в этом классе.", "The student is already in this class."),
        "same_role" => ("У сотрудника уже эта роль.", "The staff member already has this role."),
        "staff_room" => ("Это действие недоступно для «Учительской».", "This is not possible for the staff room."),
        "class_name_taken" => (
            "Класс с таким названием в этом учебном году уже есть.",
            "A class with this name already exists in this academic year.",
        ),
        "unit_name_taken" => ("Подразделение с таким названием уже есть.", "A unit with this name already exists."),
        "unit_not_empty" => {
            ("В подразделении есть классы: сначала перенесите их.", "The unit still has classes: move them first.")
        }
        "application_decided" => ("По этой заявке уже принято решение.", "This application has already been decided."),
        "join_request_decided" => {
            ("По этой заявке на вступление уже принято решение.", "This join request has already been decided.")
        }
        "application_not_approved" => ("Заявка ещё не одобрена.", "The application has not been approved."),
        "admin_already_joined" => (
            "Администратор школы уже присоединился; новые приглашения создаёт он.",
            "The school's admin has already joined and creates invites from now on.",
        ),
        "client_msg_id_reused" => (
            "Этот идентификатор сообщения уже использован для другого сообщения.",
            "This message id was already used for another message.",
        ),
        "message_deleted" => ("Сообщение удалено.", "The message has been deleted."),
        "homework_card" => (
            "Карточка домашнего задания меняется вместе с заданием — на странице урока.",
            "A homework card changes with the homework itself, on the lesson page.",
        ),
        "send_rate_limited" => {
            ("Слишком много сообщений подряд. Подождите минуту.", "Too many messages in a row. Please wait a minute.")
        }
        "no_class_chat" => {
            ("У класса нет чата, в котором можно провести урок.", "The class has no chat to hold the lesson in.")
        }
        "call_locked" => {
            ("Ведущий закрыл звонок: новые участники не могут войти.", "The host locked the call: nobody new may join.")
        }
        "call_running" => (
            "В этом чате уже идёт звонок; завершите его, чтобы начать этот.",
            "A call is already running in this chat; end it to open this one.",
        ),
        "not_a_broadcast" => ("Это не трансляция.", "This is not a broadcast."),
        "no_call" => ("В этом чате сейчас нет звонка.", "There is no call in this chat now."),
        "call_ended" => ("Звонок уже завершён.", "The call has ended."),
        "call_elsewhere" => (
            "Звонок идёт на другом узле сервера; обновите страницу.",
            "The call runs on another server node; reload the page.",
        ),
        "removed_from_call" => ("Ведущий удалил вас из этого звонка.", "The host removed you from this call."),
        "not_in_call" => ("Этого человека нет в звонке.", "This person is not in the call."),
        "bad_offer" => (
            "Браузер прислал описание связи, которое сервер не понял.",
            "The browser sent a connection description the server could not read.",
        ),
        "calls_off" => {
            ("Звонки на этом сервере сейчас недоступны.", "Calls are not available on this server right now.")
        }
        "muted" => (
            "Модератор временно ограничил вам отправку сообщений в этом чате.",
            "A moderator has muted you in this chat for a while.",
        ),
        "cannot_mute_moderator" => ("Модератора нельзя ограничить.", "A moderator cannot be muted."),
        "already_reported" => ("Вы уже пожаловались на это сообщение.", "You have already reported this message."),
        "report_resolved" => ("По этой жалобе уже принято решение.", "This report has already been resolved."),
        "message_held" => (
            "Сообщение ждёт окончания тихих часов; изменить его можно после доставки.",
            "The message waits for quiet hours to end; it can be changed once delivered.",
        ),
        "poll_closed" => ("Голосование завершено.", "The poll is closed."),
        "ack_not_requested" => {
            ("Это сообщение не требует подтверждения.", "This message does not ask for confirmation.")
        }
        "ack_own_message" => ("Своё сообщение подтверждать не нужно.", "There is no need to confirm your own message."),
        "invite_already_revoked" => ("Ссылка уже аннулирована.", "The link is already revoked."),
        "wrong_password" => ("Текущий пароль указан неверно.", "The current password is wrong."),
        "token_invalid" => ("Код недействителен или уже использован.", "The code is invalid or has already been used."),
        "file_required" => ("Приложите файл приказа.", "Attach the order file."),
        "file_type_not_allowed" => ("Допустимы только PDF, PNG и JPEG.", "Only PDF, PNG and JPEG files are accepted."),
        "multipart_invalid" => ("Форма отправлена некорректно.", "The form was not sent correctly."),
        "chat_needs_teacher" => (
            "Учащиеся могут быть в чате только вместе с педагогом: сначала добавьте в чат учителя.",
            "Students may be in a chat only together with a teacher: add a teacher to the chat first.",
        ),
        "chat_members_from_directory" => (
            "Участники этого чата определяются составом класса и школы; вручную их не меняют.",
            "The members of this chat follow the class and school directory and are not changed by hand.",
        ),
        "chat_roles_fixed" => (
            "Роли в этом чате определяются составом класса и школы.",
            "Roles in this chat follow the class and school directory.",
        ),
        "cannot_remove_owner" => ("Создателя чата удалить нельзя.", "The chat's creator cannot be removed."),
        "cannot_change_owner" => ("Роль создателя чата не меняется.", "The chat creator's role cannot be changed."),
        "applications_rate_limited" => (
            "С этого адреса отправлено слишком много заявок. Попробуйте через час.",
            "Too many applications from this address. Try again in an hour.",
        ),
        "upload_rate_limited" => {
            ("Слишком много файлов подряд. Подождите минуту.", "Too many files in a row. Please wait a minute.")
        }
        "year_overlaps" => {
            ("Даты пересекаются с другим учебным годом школы.", "The dates overlap another school year of the school.")
        }
        "period_closed" => (
            "Период закрыт: итоговые отметки меняет только администратор, указав причину.",
            "The period is closed: only an admin changes its marks, giving a reason.",
        ),
        "year_closed" => (
            "Учебный год закрыт: годовые отметки меняет только администратор, указав причину.",
            "The year is closed: only an admin changes its year marks, giving a reason.",
        ),
        "admin_link_contacts" => (
            "Эта ссылка — для администратора, указанного в заявке школы. Зарегистрируйтесь с e-mail или телефоном из заявки или попросите оператора выпустить ссылку на другие контакты.",
            "This link is for the admin named in the school's application. Register with the e-mail or phone from the application, or ask the operator to issue a link for other contacts.",
        ),
        "teacher_not_verified" => (
            "Статус педагога ещё не подтверждён администратором школы. До подтверждения нельзя писать ученикам и родителям лично, создавать с ними чаты и ссылки-приглашения.",
            "Your teacher status is not yet confirmed by the school's admin. Until then you cannot write to students and parents directly, make chats with them or create invite links.",
        ),
        "sms_failed" => (
            "Не удалось отправить SMS с кодом. Попробуйте ещё раз через несколько минут.",
            "The text message with the code could not be sent. Try again in a few minutes.",
        ),
        "export_limit" => (
            "Копию данных можно получить не больше трёх раз в час. Попробуйте позже.",
            "A copy of your data can be made at most three times an hour. Try again later.",
        ),
        "password_reset_limit" => (
            "Слишком много запросов на восстановление пароля. Попробуйте через час или попросите код у классного руководителя.",
            "Too many password reset requests. Try again in an hour, or ask your class teacher for a code.",
        ),
        "unsubscribe_link_unknown" => (
            "Ссылка не подошла. Отключите сводку в профиле «Парты».",
            "This link does not match. Turn the digest off in your Parta profile.",
        ),
        "not_for_admins" => (
            "Администратору школы код не выдаётся: он восстанавливает пароль по e-mail или через оператора платформы.",
            "A school admin gets no code: they reset their password by e-mail or through the platform operator.",
        ),
        "authority_exists" => (
            "Управление образования с таким названием уже есть.",
            "An education authority of this name already exists.",
        ),
        "already_curator" => {
            ("Этот человек уже куратор этого управления.", "This person already curates this authority.")
        }
        "year_archived" => (
            "Школа уже перешла на следующий учебный год: этот год в архиве, его журнал только для чтения.",
            "The school has moved on to the next year: this year is archived and its journal is read-only.",
        ),
        "class_exists" => (
            "В новом учебном году уже есть классы с такими названиями. Переименуйте их и повторите.",
            "The new school year already has classes of these names. Rename them and try again.",
        ),
        "chat_archived" => (
            "Чат в архиве: он закрыт вместе со своим учебным годом и доступен только для чтения.",
            "The chat is archived: it ended with its school year and is read-only.",
        ),
        "grade_type_exists" => ("Такой вид работы уже есть.", "This kind of work already exists."),
        "assignment_exists" => ("Такое назначение уже есть.", "This assignment already exists."),
        "subject_exists" => ("Такой предмет в школе уже есть.", "The school already has this subject."),
        "chat_link_revoked" => ("Ссылка-приглашение в чат отозвана.", "This chat invite link has been revoked."),
        "not_your_lesson" => {
            ("Сдать работу может только ученик этого урока.", "Only a student of this lesson can hand in work for it.")
        }
        "no_homework" => ("На этом уроке домашнего задания нет.", "This lesson has no homework."),
        "submission_graded" => (
            "Работа уже оценена: отметку меняют в журнале.",
            "The work is already graded: its mark is changed in the journal.",
        ),
        "lesson_written" => (
            "Этот урок уже записан в журнал: изменение не снять.",
            "This lesson is already written in the journal: the change cannot be taken back.",
        ),
        "names_locked" => (
            "В вашей школе ФИО указываются только по списку школы. Чтобы исправить его, обратитесь к администратору школы.",
            "Your school keeps names as its register has them. To correct yours, ask the school's admin.",
        ),
        "sms_not_configured" => (
            "Сервер пока не отправляет SMS, поэтому номер телефона нельзя подтвердить. Чтобы изменить его, обратитесь к администратору школы.",
            "This server does not send text messages yet, so a phone number cannot be confirmed. To change it, ask the school's admin.",
        ),
        "contact_change_limit" => {
            ("Слишком много запросов кода. Попробуйте через час.", "Too many code requests. Try again in an hour.")
        }
        "no_pending_change" => (
            "Код не запрашивался или уже использован. Запросите новый.",
            "No code was asked for, or it has been used. Ask for a new one.",
        ),
        "code_expired" => (
            "Код устарел: он действует 15 минут. Запросите новый.",
            "The code has expired: it works for 15 minutes. Ask for a new one.",
        ),
        "code_attempts_exhausted" => (
            "Код введён неверно слишком много раз. Запросите новый.",
            "The code was typed wrong too many times. Ask for a new one.",
        ),
        "email_taken" => (
            "Этот адрес уже указан в другой учётной записи «Парты».",
            "This address is already used by another Parta account.",
        ),
        "phone_taken" => (
            "Этот номер уже указан в другой учётной записи «Парты».",
            "This number is already used by another Parta account.",
        ),
        "oidc_provider_unknown" => ("Такого способа входа нет.", "There is no such way to sign in."),
        "oidc_provider_unavailable" => (
            "Сервис входа сейчас не отвечает. Попробуйте позже или войдите по паролю.",
            "The sign-in service is not answering. Try again later or sign in with your password.",
        ),
        "oidc_state_unknown" => (
            "Этот вход уже завершён или начат не здесь. Начните вход заново.",
            "This sign-in has already been completed or was not started here. Start again.",
        ),
        "oidc_state_expired" => {
            ("Вход занял больше 10 минут. Начните его заново.", "The sign-in took longer than 10 minutes. Start again.")
        }
        "oidc_state_browser" => (
            "Вход начат в другом браузере. Начните его заново здесь.",
            "The sign-in was started in another browser. Start it again here.",
        ),
        "oidc_denied" => ("Вход через внешний сервис отменён.", "The sign-in with the external service was cancelled."),
        "oidc_code_refused" => (
            "Сервис входа не подтвердил вход. Начните вход заново.",
            "The sign-in service did not confirm the sign-in. Start again.",
        ),
        "oidc_token_signature" | "oidc_token_algorithm" | "oidc_token_malformed" | "oidc_token_issuer" => (
            "Сервис входа прислал недействительное подтверждение. Вход отклонён.",
            "The sign-in service sent an invalid confirmation. The sign-in was refused.",
        ),
        "oidc_token_audience" => (
            "Подтверждение входа выдано не для «Парты». Вход отклонён.",
            "The sign-in confirmation was not issued for Parta. The sign-in was refused.",
        ),
        "oidc_token_expired" => (
            "Подтверждение входа просрочено. Начните вход заново.",
            "The sign-in confirmation has expired. Start again.",
        ),
        "oidc_token_nonce" => (
            "Подтверждение входа относится к другому входу. Начните вход заново.",
            "The sign-in confirmation belongs to another sign-in. Start again.",
        ),
        "oidc_not_linked" => (
            "Этот вход ещё не связан с учётной записью Parta: войдите по паролю и свяжите его в профиле.",
            "This sign-in is not linked to a Parta account yet: sign in with your password and link it in your profile.",
        ),
        "oidc_identity_taken" => (
            "Эта учётная запись внешнего сервиса уже связана с другой учётной записью Parta.",
            "This external account is already linked to another Parta account.",
        ),
        "oidc_already_linked" => (
            "Этот способ входа уже связан с вашей учётной записью.",
            "This way of signing in is already linked to your account.",
        ),
        "oidc_last_sign_in" => (
            "Это ваш единственный способ входа: сначала задайте пароль.",
            "This is your only way to sign in: set a password first.",
        ),
        "oidc_name_missing" => (
            "Сервис входа не сообщил ваше имя. Присоединитесь по паролю.",
            "The sign-in service did not tell your name. Join with a password instead.",
        ),
        "oidc_contact_missing" => (
            "Сервис входа не сообщил подтверждённый адрес или телефон. Присоединитесь по паролю.",
            "The sign-in service did not tell a confirmed address or phone. Join with a password instead.",
        ),
        "oidc_contact_taken" => (
            "У этого адреса уже есть учётная запись Parta: войдите по паролю, примите приглашение и свяжите вход в профиле.",
            "This address already has a Parta account: sign in with your password, accept the invite and link the sign-in in your profile.",
        ),
        _ => ("Ошибка запроса.", "Request error."),
    };
    match lang {
        Lang::Ru => ru,
        Lang::En => en,
    }
}

/// The `detail` of one rejected field, by the validation rule's code.
pub fn field_detail(code: &str, lang: Lang) -> &'static str {
    let (ru, en) = match code {
        "required" => ("Обязательное поле.", "This field is required."),
        "too_long" => ("Слишком длинное значение.", "The value is too long."),
        "invalid_characters" => ("Недопустимые символы.", "The value contains characters that are not allowed."),
        "invalid_email" => ("Некорректный адрес e-mail.", "Not a valid e-mail address."),
        "not_public" => (
            "Этот адрес внутри сети: вебхуки уходят только на адреса в интернете, если администратор сервера не разрешил этот узел.",
            "This address is inside the network: webhooks go only to public addresses unless the server's administrator allows this host.",
        ),
        "unknown_event" => ("Такого события нет.", "No such event."),
        // A OneRoster bundle as a whole (the field names the file, and its line).
        "not_a_zip" => ("Это не zip-архив выгрузки OneRoster.", "This is not a OneRoster zip bundle."),
        "too_large" => ("Файл слишком большой.", "The file is too large."),
        "file_missing" => ("В архиве нет этого файла.", "The bundle lacks this file."),
        "duplicate_file" => ("Файл с этим именем в архиве дважды.", "The bundle has this file twice."),
        "not_utf8" => (
            "Файл не в кодировке UTF-8 (сохраните его как «CSV UTF-8»).",
            "The file is not UTF-8 (save it as «CSV UTF-8»).",
        ),
        "column_missing" => ("В файле нет обязательного столбца.", "The file lacks a required column."),
        "unreadable" => ("Строку не удалось прочитать как CSV.", "The line cannot be read as CSV."),
        "version_unsupported" => (
            "Нужна выгрузка OneRoster 1.1 или 1.2 (oneroster.version в manifest.csv).",
            "A OneRoster 1.1 or 1.2 bundle is needed (oneroster.version in manifest.csv).",
        ),
        "other_school" => (
            "Выгрузка другой школы: эта школа уже связана с другим sourcedId.",
            "Another school's bundle: this school is already linked to another sourcedId.",
        ),
        "no_school" => ("В orgs.csv нет ни одной школы (type = school).", "orgs.csv has no school (type = school)."),
        "several_schools" => {
            ("В orgs.csv несколько школ: выгрузите одну школу.", "orgs.csv has several schools: export one school.")
        }
        "invalid_phone" => ("Некорректный номер телефона.", "Not a valid phone number."),
        "password_too_short" => {
            ("Пароль должен быть не короче 8 символов.", "The password must be at least 8 characters long.")
        }
        "invalid_format" => ("Неверный формат.", "Wrong format."),
        "invalid_url" => ("Некорректный адрес (нужен https://…).", "Not a valid address (https://… is needed)."),
        "push_service_not_allowed" => (
            "Этот адрес не принадлежит службе push-уведомлений браузера.",
            "This address is not a browser's push service.",
        ),
        "invalid_checksum" => ("Контрольная цифра не сходится.", "The check digit does not match."),
        "out_of_range" => ("Значение вне допустимого диапазона.", "The value is out of range."),
        "invalid_time_zone" => {
            ("Неизвестный часовой пояс (пример: Europe/Moscow).", "Unknown time zone (for example Europe/Moscow).")
        }
        "invalid_date" => ("Дата в формате ГГГГ-ММ-ДД.", "A date as YYYY-MM-DD."),
        "before_start" => ("Дата раньше начала членства.", "The date is before the membership began."),
        "unknown_class" => ("Класс не найден в этой школе.", "No such class in this school."),
        "unknown_unit" => ("Подразделение не найдено в этой школе.", "No such unit in this school."),
        "unknown_student" => ("Обучающийся не найден в этом классе.", "No such student in this class."),
        "child_required" => ("Для ссылки родителя укажите ребёнка.", "A parent link needs the child."),
        "child_not_allowed" => ("Ребёнок указывается только для ссылки родителя.", "Only parent links name a child."),
        "not_allowed_in_staff_room" => {
            ("В «Учительскую» приглашают только работников.", "Only staff are invited to the staff room.")
        }
        "contact_required" => ("Укажите телефон или e-mail.", "Give a phone number or an e-mail address."),
        "self" => ("Нельзя выбрать себя.", "You cannot choose yourself."),
        "no_email" => {
            ("Для сводки нужен адрес электронной почты в профиле.", "A digest needs an e-mail address in your profile.")
        }
        "invalid_time" => ("Время в формате ЧЧ:ММ, например 21:00.", "A time as HH:MM, e.g. 21:00."),
        "unknown_option" => ("Такого варианта ответа нет.", "No such option."),
        "single_choice" => ("В этом опросе можно выбрать только один вариант.", "This poll allows one choice only."),
        "duplicate" => ("Такой вариант уже есть.", "This option is already there."),
        "in_the_past" => ("Время уже прошло.", "This time has already passed."),
        "unknown_reaction" => ("Такой реакции нет.", "No such reaction."),
        "unknown_message" => ("Сообщение не найдено в этом чате.", "No such message in this chat."),
        "taken" => ("Уже используется другой учётной записью.", "Already used by another account."),
        "unknown_person" => ("Человек не найден среди участников школы.", "No such person among the school's members."),
        "not_allowed" => ("Здесь это поле не указывается.", "This field does not apply here."),
        "unsupported" => ("Это значение здесь не поддерживается.", "This value is not supported here."),
        "not_with_forward" => (
            "При пересылке файлы берутся из исходного сообщения.",
            "A forwarded message takes its files from the original.",
        ),
        "poll_not_forwardable" => ("Опрос переслать нельзя.", "A poll cannot be forwarded."),
        "count_mismatch" => (
            "Число периодов не совпадает с делением года (4 четверти, 3 триместра, 2 полугодия).",
            "The number of periods does not match the division of the year (4 quarters, 3 trimesters, 2 halves).",
        ),
        "overlaps" => {
            ("Пересекается с предыдущим или идёт не по порядку.", "Overlaps the one before or is out of order.")
        }
        "outside_year" => ("Выходит за даты учебного года.", "Falls outside the school year's dates."),
        "ends_before_start" => ("Конец раньше начала.", "The end comes before the start."),
        "not_a_teacher" => ("Этот человек не учитель этой школы.", "This person is not a teacher of this school."),
        "unknown_subject" => ("Предмет не найден в этой школе.", "No such subject in this school."),
        "archived" => ("Предмет в архиве.", "The subject is archived."),
        "unknown_group" => ("Группа не найдена в этом классе.", "No such group in this class."),
        "unknown_slot" => ("Такого урока нет в звонках этого года.", "No such lesson slot in this year's bells."),
        "unknown_assignment" => {
            ("Такого назначения нет у этого класса в этом году.", "No such assignment of this class in this year.")
        }
        "teacher_busy" => ("Учитель в это время ведёт другой урок.", "The teacher has another lesson at this time."),
        "room_busy" => ("Кабинет в это время занят.", "The room is taken at this time."),
        "class_busy" => ("У класса в это время другой урок.", "The class has another lesson at this time."),
        "not_a_school_day" => ("В этот день уроков нет.", "There are no lessons on this day."),
        "not_in_timetable" => {
            ("Этого урока нет в расписании на этот день.", "This lesson is not in the timetable on this day.")
        }
        "lesson_cancelled" => ("Этот урок в этот день отменён.", "This lesson is cancelled on this day."),
        "lesson_moved" => ("Этот урок в этот день перенесён.", "This lesson is moved elsewhere on this day."),
        "already_changed" => (
            "Этот урок в этот день уже изменён: сначала снимите прежнее изменение.",
            "This lesson is already changed on this day: take the earlier change back first.",
        ),
        "same_teacher" => ("Это и есть учитель этого урока.", "This is the lesson's own teacher."),
        "same_place" => ("Урок переносится на то же место.", "The lesson is moved to where it already is."),
        "lesson_written" => (
            "Урок уже записан в журнал: его нельзя отменить или перенести.",
            "The lesson is already written in the journal: it cannot be cancelled or moved.",
        ),
        "invalid_mark" => ("Отметка — от 1 до 5, «зч» или «нз».", "A mark is 1 to 5, «зч» (pass) or «нз» (fail)."),
        "unknown_grade_type" => ("Такого вида работы нет.", "No such kind of work."),
        "unknown_grade" => ("Такой отметки на этом уроке нет.", "No such mark at this lesson."),
        "before_lesson" => ("Срок сдачи — не раньше дня урока.", "Due no earlier than the lesson's day."),
        "day_over_limit" => (
            "В этот день у класса уже больше домашних заданий, чем разрешает норма, а школа не позволяет задавать сверх неё.",
            "That day already carries more homework than the class's limit, and the school does not allow more.",
        ),
        "looser_than_regulations" => (
            "Школа может сделать норму строже, но не мягче, чем в положении.",
            "A school may make the limit stricter than the regulations, not looser.",
        ),
        "before_from" => ("Конец периода — не раньше его начала.", "The end is no earlier than the start."),
        "range_too_long" => ("Период — не длиннее 400 дней.", "The range is at most 400 days."),
        "period_too_long" => ("Приказ действует не дольше года.", "An order lasts a year at most."),
        "after_period" => {
            ("Дата приказа — не позже его последнего дня.", "The order is dated no later than its last day.")
        }
        "not_in_order" => ("Этого класса нет в приказе.", "This class is not under the order."),
        "not_offline" => (
            "Индивидуальное задание — для ученика без устройства или связи по этому приказу.",
            "An individual assignment is for a student without a device or connection under this order.",
        ),
        "during_order" => ("Срок — после окончания дистанционного обучения.", "Due after remote learning ends."),
        "empty_submission" => ("Напишите ответ или приложите файл.", "Write an answer or attach a file."),
        "unknown_file" => ("Файл не найден среди ваших загрузок.", "No such file among your uploads."),
        "unknown_period" => ("Такого периода в этом учебном году нет.", "No such period in this school year."),
        "unknown_year" => ("Учебный год не найден в этой школе.", "No such school year in this school."),
        "not_after_from_year" => (
            "Новый учебный год должен начинаться после окончания текущего.",
            "The new school year must begin after the current one ends.",
        ),
        "not_a_leaving_class" => (
            "Продолжить обучение может только класс выпускной параллели, кроме 11-го.",
            "Only a class of a leaving grade other than 11th can go on.",
        ),
        "invalid_grade" => ("Параллель — число от 1 до 11.", "A grade is a number from 1 to 11."),
        "not_a_student" => ("Это не ученик класса уходящего года.", "Not a student of a class of the ending year."),
        "class_graduates" => {
            ("Этот класс выпускается: перевести в него нельзя.", "This class graduates: no one can move into it.")
        }
        "duplicate_student" => ("Ученик указан дважды.", "The student is listed twice."),
        "unknown_school" => ("Такой школы на платформе нет.", "No such school on the platform."),
        "too_short" => {
            ("Введите хотя бы одно слово из двух и более букв.", "Type at least one word of two letters or more.")
        }
        "wrong_code" => ("Неверный код.", "Wrong code."),
        "unchanged" => ("Это ваш текущий адрес или номер.", "This is your current address or number."),
        "not_an_image" => {
            ("Это не изображение: подойдут JPEG, PNG, GIF и WebP.", "Not an image: JPEG, PNG, GIF and WebP will do.")
        }
        "image_too_large" => (
            "Изображение слишком большое: не больше 24 мегапикселей.",
            "The image is too large: at most 24 megapixels.",
        ),
        "undecodable_image" => ("Изображение повреждено или не читается.", "The image is damaged or cannot be read."),
        _ => ("Некорректное значение.", "Invalid value."),
    };
    match lang {
        Lang::Ru => ru,
        Lang::En => en,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn lang(value: &str) -> Lang {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT_LANGUAGE, HeaderValue::from_str(value).expect("ascii"));
        Lang::from_headers(&headers)
    }

    #[test]
    fn russian_unless_english_is_preferred() {
        assert_eq!(Lang::from_headers(&HeaderMap::new()), Lang::Ru);
        assert_eq!(lang("en"), Lang::En);
        assert_eq!(lang("en-US,en;q=0.9"), Lang::En);
        assert_eq!(lang("ru-RU,ru;q=0.9,en;q=0.8"), Lang::Ru);
        assert_eq!(lang("de, en;q=0.5"), Lang::En);
        assert_eq!(lang("de"), Lang::Ru);
        assert_eq!(lang("en;q=0.3, ru;q=0.7"), Lang::Ru);
    }
}

// The strings of password recovery: «Забыли пароль?» and the sign-in code a class teacher
// or an admin gives a person without e-mail. An area dictionary (i18n/area.ts), loaded
// with those lazy pages, not with the app's shell. Russian first; English has every key.
import { area, type AreaEn, type AreaKey } from '../i18n/area';

export const ru = {
  'rec.title': 'Восстановление пароля',
  'rec.lead': 'Укажите адрес электронной почты, с которым вы входите в «Парту». Мы пришлём на него ссылку, чтобы задать новый пароль.',
  'rec.email': 'E-mail',
  'rec.submit': 'Отправить ссылку',
  'rec.sent_title': 'Проверьте почту',
  'rec.sent':
    'Если в «Парте» есть учётная запись с адресом {email}, мы отправили на него ссылку для нового пароля. Она действует 30 минут. Не пришло письмо — проверьте папку «Спам».',
  'rec.again': 'Отправить ещё раз',
  'rec.no_email': 'Нет электронной почты? Попросите у классного руководителя код для входа и введите его на странице',
  'rec.no_email_link': '«Новый пароль»',
  'rec.to_login': 'Вернуться ко входу',
  'sic.ask_title': 'Выдать код для входа?',
  'sic.ask': '{name} сможет задать новый пароль по этому коду. Старый пароль продолжит работать, пока код не использован.',
  'sic.confirm': 'Выдать код',
  'sic.title': 'Код для входа',
  'sic.for': 'Для кого',
  'sic.code': 'Код',
  'sic.until': 'Действует до',
  'sic.once': 'Код показывается один раз. Передайте его лично — не пересылайте в чат.',
  'sic.where': 'Код вводят на странице «Новый пароль»: {url}',
  'sic.copy': 'Скопировать',
  'sic.copied': 'Код скопирован.',
  'sic.done': 'Готово',
  'uns.title': 'Сводка по почте',
  'uns.lead': 'Отписаться от сводки «Парты» на этот адрес? Уведомления в приложении останутся.',
  'uns.submit': 'Отписаться',
  'uns.done': 'Вы отписались от сводки. Включить её снова можно в профиле.',
  'uns.no_token': 'В ссылке нет кода. Откройте ссылку из письма целиком или отключите сводку в профиле.',
  'uns.to_profile': 'Открыть профиль',
};

export const en: AreaEn<typeof ru> = {
  'rec.title': 'Password recovery',
  'rec.lead': 'Enter the e-mail address you sign in to Parta with. We will send it a link to set a new password.',
  'rec.email': 'E-mail',
  'rec.submit': 'Send the link',
  'rec.sent_title': 'Check your e-mail',
  'rec.sent':
    'If there is a Parta account with the address {email}, we have sent it a link to set a new password. The link works for 30 minutes. No letter? Check your spam folder.',
  'rec.again': 'Send again',
  'rec.no_email': 'No e-mail? Ask your class teacher for a sign-in code and enter it on the page',
  'rec.no_email_link': '“New password”',
  'rec.to_login': 'Back to sign-in',
  'sic.ask_title': 'Give a sign-in code?',
  'sic.ask': '{name} will be able to set a new password with this code. The old password keeps working until the code is used.',
  'sic.confirm': 'Give the code',
  'sic.title': 'Sign-in code',
  'sic.for': 'For',
  'sic.code': 'Code',
  'sic.until': 'Valid until',
  'sic.once': 'The code is shown only once. Hand it over in person — do not forward it in a chat.',
  'sic.where': 'The code is entered on the “New password” page: {url}',
  'sic.copy': 'Copy',
  'sic.copied': 'Code copied.',
  'sic.done': 'Done',
  'uns.title': 'E-mail digest',
  'uns.lead': 'Stop Parta’s digest to this address? Notifications in the app stay.',
  'uns.submit': 'Unsubscribe',
  'uns.done': 'You have unsubscribed from the digest. You can turn it on again in your profile.',
  'uns.no_token': 'The link has no code in it. Open the whole link from the letter, or turn the digest off in your profile.',
  'uns.to_profile': 'Open your profile',
};

export const { t, tn } = area(ru, en);
export type Key = AreaKey<typeof ru>;

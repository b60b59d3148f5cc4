import type { SimExample, SimLang } from './sim-task.ts';

/**
 * A few hand-written examples per language. The simulator falls back to them
 * when a generate request carries no few-shot examples; tests use them too.
 */
export const SAMPLE_SEEDS: Record<SimLang, readonly SimExample[]> = {
  ja: [
    {
      instruction: '次のメールに対する返信を作成してください。',
      input:
        '件名：お見積もりのお願い\n北星物産株式会社 購買部の山田です。業務用コーヒーメーカー「ブリューマスター」を10台購入したく、2025年4月10日までにお見積もりをいただけますでしょうか。',
      output:
        '山田様\n\nいつもお世話になっております。株式会社みなと精機 営業部の佐藤でございます。\nこのたびは「ブリューマスター」10台のお見積もりのご依頼をいただき、誠にありがとうございます。\n2025年4月10日までにお見積書をお送りいたします。\n今後ともよろしくお願い申し上げます。',
    },
    {
      instruction: '以下の会議メモから決定事項と担当者を整理してください。',
      input:
        '定例会議メモ：展示会のブースは大阪会場で確定。パンフレット作成は鈴木さん、4月25日締切。予算は80,000円で承認。搬入日程は未定。',
      output:
        '決定事項\n・展示会のブースは大阪会場で確定\n・予算80,000円を承認\n担当と期限\n・パンフレット作成：鈴木さん（4月25日締切）\n未決事項\n・搬入日程',
    },
    {
      instruction: '次の文を取引先に送れる丁寧な敬語に書き換えてください。',
      input: '明日の打ち合わせ、ちょっと遅れるかもしれないです。ごめんなさい。',
      output: '明日のお打ち合わせにつきまして、少々遅れて伺う可能性がございます。大変申し訳ございません。',
    },
    {
      instruction: '請求書のテキストから請求元、請求日、合計金額を抜き出してください。',
      input:
        '請求書\n請求元：株式会社さくら印刷\n請求日：2025年3月31日\n小計 50,000円\n消費税 5,000円\n合計 55,000円',
      output: '請求元：株式会社さくら印刷\n請求日：2025年3月31日\n合計金額：55,000円',
    },
    {
      instruction:
        '次の問い合わせを「請求」「配送」「製品不具合」「その他」のいずれかに分類し、理由を一文で添えてください。',
      input: '先週注文した空気清浄機「そよかぜ」がまだ届きません。いつ発送されますか。',
      output: '分類：配送\n理由：注文した商品が届かず、発送時期を尋ねているため。',
    },
    {
      instruction: '社内向けのお知らせ文を作成してください。',
      input: '内容：オフィス移転に伴い、6月1日から名古屋オフィスの住所が変わる。問い合わせ先は総務部の高橋。',
      output:
        '社員各位\n\nオフィス移転に伴い、6月1日より名古屋オフィスの住所が変更となります。新住所は追ってお知らせします。\nご不明な点は総務部の高橋までお問い合わせください。',
    },
    {
      instruction: '次の文章を3行で要約してください。',
      input:
        '当社は今年度、物流部の配送ルートを見直し、燃料費を前年比で12%削減した。一方で、繁忙期の配送遅延が増えたため、来年度は倉庫の人員を増やす計画である。また、顧客満足度調査では配送時間の指定に関する要望が多かった。',
      output:
        '配送ルートの見直しで燃料費を12%削減した。\n繁忙期の遅延対策として倉庫の人員を増やす。\n顧客からは配送時間指定の要望が多い。',
    },
    {
      instruction: '新入社員向けに、電話応対で最初に名乗るときの例文を一つ示してください。',
      input: '',
      output: 'お電話ありがとうございます。株式会社みなと精機 総務部の田中でございます。',
    },
  ],
  en: [
    {
      instruction: 'Write a reply to the following customer e-mail.',
      input:
        'Subject: Late order\nHi, I ordered the Cascade water filter on March 3 and it still has not arrived. Can you tell me when it will ship? — Priya Patel',
      output:
        'Dear Priya Patel,\n\nThank you for reaching out, and I am sorry your Cascade water filter has not arrived yet. Your order shipped this morning and should reach you within three business days. We will e-mail you the tracking number shortly.\n\nBest regards,\nMarcus Holloway\nCustomer Support, Harborline Analytics Inc.',
    },
    {
      instruction: 'Summarize the meeting notes below in three bullet points.',
      input:
        'Budget meeting: Finance approved $40,000 for the trade show. Clara will book the booth by April 12. The team still needs to decide on giveaways. Next meeting on April 20.',
      output:
        '- Finance approved $40,000 for the trade show.\n- Clara will book the booth by April 12.\n- Giveaways are still undecided; the next meeting is on April 20.',
    },
    {
      instruction: 'Extract the vendor, invoice date and total amount from the invoice text.',
      input:
        'INVOICE\nVendor: Bluefinch Logistics Ltd.\nDate: 2025-02-14\nSubtotal: $1,200.00\nTax: $96.00\nTotal: $1,296.00',
      output: 'Vendor: Bluefinch Logistics Ltd.\nInvoice date: 2025-02-14\nTotal amount: $1,296.00',
    },
    {
      instruction:
        'Classify the support ticket as billing, shipping, technical or other, and give a one-sentence reason.',
      input: 'My Orbit smart thermostat keeps disconnecting from Wi-Fi every night.',
      output:
        'Category: technical\nReason: The customer reports a recurring connectivity fault with the device.',
    },
    {
      instruction: 'Rewrite the message so it is polite enough to send to a client.',
      input: 'We cannot do the Friday deadline. Need another week.',
      output:
        'Unfortunately, we will not be able to meet the Friday deadline. Would it be possible to extend it by one week? We appreciate your understanding.',
    },
    {
      instruction: 'Explain in plain language what a purchase order is, for a new hire.',
      input: '',
      output:
        'A purchase order is a document a company sends to a supplier to confirm what it wants to buy, how many, at what price and when. Once the supplier accepts it, it works like an agreement for that order.',
    },
  ],
};
